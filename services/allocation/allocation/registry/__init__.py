"""The whole neighbourhood registry in allocation: announced by events, fetched over HTTP, used by every run."""
