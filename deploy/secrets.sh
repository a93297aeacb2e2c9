#!/usr/bin/env bash
# Creates what docker-compose.yml needs and the repository must not hold:
#   deploy/secrets/tls/      a private CA, and one certificate it signed for every NATS and Redis
#                            host of the compose file (server and client use: routes are mutual TLS)
#   deploy/secrets/users.acl the Redis ACL: default user off; catga (the services, keys under catga:),
#                            replica (replication) and sentinel (Sentinel's commands), hashed passwords
#   deploy/secrets/operator-token  the bearer token Prometheus sends to /metrics
#   .env                     every password and token, read by docker compose
# Run once before `docker compose up`; it keeps what exists (delete deploy/secrets and .env to
# start over). CATGA_SECRETS_DIR and CATGA_ENV_FILE write elsewhere. Needs openssl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CATGA_SECRETS_DIR:-$root/deploy/secrets}"
env_file="${CATGA_ENV_FILE:-$root/.env}"
hosts=(nats-1 nats-2 nats-3 redis-primary redis-replica sentinel-1 sentinel-2 sentinel-3 localhost)
services=(order-api order-service payment-service inventory-service notification-service)

mkdir -p "$dir/tls"
chmod 700 "$dir"
# A letter, then 48 hex digits: nats-server parses a password it reads from its environment as a
# config value, so one starting with a digit or holding punctuation would not be read as a string.
random() { printf 's%s' "$(openssl rand -hex 24)"; }
sha256() { printf '%s' "$1" | openssl dgst -sha256 -r | cut -d' ' -f1; }

if [[ ! -f "$dir/tls/server.crt" ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj '/CN=Catga sample CA' \
    -keyout "$dir/ca.key" -out "$dir/tls/ca.crt" 2>/dev/null
  san="$(printf 'DNS:%s,' "${hosts[@]}")IP:127.0.0.1"
  printf 'subjectAltName = %s\nextendedKeyUsage = serverAuth, clientAuth\nkeyUsage = digitalSignature, keyEncipherment\n' "$san" >"$dir/tls/server.ext"
  openssl req -newkey rsa:2048 -nodes -subj '/CN=catga-sample' -keyout "$dir/tls/server.key" -out "$dir/tls/server.csr" 2>/dev/null
  openssl x509 -req -in "$dir/tls/server.csr" -CA "$dir/tls/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 825 -extfile "$dir/tls/server.ext" -out "$dir/tls/server.crt" 2>/dev/null
  rm -f "$dir/tls/server.csr" "$dir/tls/server.ext"
  # The containers run as their images' own users; the key must be readable to them.
  chmod 644 "$dir/tls/server.key"
  echo "wrote $dir/tls (CA and a certificate for ${hosts[*]})"
fi

if [[ ! -f "$env_file" ]]; then
  {
    echo '# Passwords and tokens of the compose deployment, made by deploy/secrets.sh. Keep this file private.'
    for service in "${services[@]}"; do
      echo "NATS_PASSWORD_$(echo "$service" | tr 'a-z-' 'A-Z_')=$(random)"
    done
    for name in REDIS_CATGA_PASSWORD REDIS_REPLICA_PASSWORD REDIS_SENTINEL_PASSWORD REDIS_SENTINEL_CLIENT_PASSWORD GRAFANA_ADMIN_PASSWORD CATGA_OPERATOR_TOKEN; do
      echo "$name=$(random)"
    done
  } >"$env_file"
  chmod 600 "$env_file"
  echo "wrote $env_file"
fi

# shellcheck disable=SC1090
set -a && source "$env_file" && set +a
if [[ ! -f "$dir/users.acl" ]]; then
  {
    echo 'user default off'
    echo "user catga on #$(sha256 "$REDIS_CATGA_PASSWORD") ~catga:* &catga:* +@all -@dangerous +info +role"
    echo "user replica on #$(sha256 "$REDIS_REPLICA_PASSWORD") +psync +replconf +ping"
    echo "user sentinel on #$(sha256 "$REDIS_SENTINEL_PASSWORD") allchannels +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill"
  } >"$dir/users.acl"
  chmod 644 "$dir/users.acl"
  echo "wrote $dir/users.acl"
fi
if [[ ! -f "$dir/operator-token" ]]; then
  printf '%s' "$CATGA_OPERATOR_TOKEN" >"$dir/operator-token"
  chmod 644 "$dir/operator-token"
  echo "wrote $dir/operator-token"
fi
