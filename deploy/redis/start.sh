#!/bin/sh
# Redis with the platform's ACL users: fill each user's password hash into users.acl.template (generated from the
# code: `python -m grants_shared.redis_acl`), then hand over to the image's entrypoint, which drops root.
# The passwords come from REDIS_PASSWORD_<USER> (ADMIN, APPLICATIONS, ALLOCATION, PAYMENTS, REPORTING); only their
# SHA-256 reaches the file.
set -eu
acl=${REDIS_ACL_FILE:-/tmp/users.acl}
cp "${REDIS_ACL_TEMPLATE:-/etc/redis/users.acl.template}" "$acl"
for user in ADMIN APPLICATIONS ALLOCATION PAYMENTS REPORTING; do
  eval "password=\${REDIS_PASSWORD_$user:-}"
  if [ -z "$password" ]; then
    echo "REDIS_PASSWORD_$user is not set" >&2
    exit 1
  fi
  hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
  sed -i "s/@SHA256_$user@/$hash/" "$acl"
done
chmod 0644 "$acl"
exec docker-entrypoint.sh redis-server --aclfile "$acl" "$@"
