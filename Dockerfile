# One image for every process of the platform; the compose file picks the command.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir "uv>=0.5"
WORKDIR /app
# Locked dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY cli/pyproject.toml cli/
COPY services/applications/pyproject.toml services/applications/
COPY services/allocation/pyproject.toml services/allocation/
COPY services/payments/pyproject.toml services/payments/
COPY services/reporting/pyproject.toml services/reporting/
COPY services/sandbox_bank/pyproject.toml services/sandbox_bank/
RUN uv sync --frozen --no-dev --no-install-workspace
COPY . .
RUN uv sync --frozen --no-dev
ENV PATH="/app/.venv/bin:$PATH"
EXPOSE 8000
