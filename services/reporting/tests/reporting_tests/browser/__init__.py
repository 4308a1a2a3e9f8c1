"""Tests that drive a real browser (Debian chromium through Playwright) against a running reporting API."""
