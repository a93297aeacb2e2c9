#!/usr/bin/env bash
# Creates the Secrets the manifests in k8s/ read, each one only if it does not exist yet:
#   nats-tls, redis-tls   kubernetes.io/tls plus ca.crt (the format cert-manager writes), signed
#                         by a private CA made here, whose key is not kept
#   nats-users            a password per NATS user of nats/nats-accounts.yaml, keyed by user name
#   redis-users           a password per Redis user: catga, replication, sentinel
#   catga-operator        token: the bearer token of /dashboard, /api/cluster and /metrics
# Passwords are 40 letters and digits starting with a letter: nats-server parses the value of an
# environment variable as a configuration value, and Redis configuration lines split on spaces.
#
# Usage: k8s/create-secrets.sh [-n NAMESPACE] [--print]
#   -n, --namespace   the namespace of the deployment (default catga, as in kustomization.yaml)
#   --print           write the Secrets as YAML to stdout instead of creating them (no kubectl)
set -euo pipefail

namespace=catga
print=false
while [ $# -gt 0 ]; do
  case "$1" in
    -n | --namespace)
      namespace="${2:?--namespace needs a value}"
      shift 2
      ;;
    --print)
      print=true
      shift
      ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
    *)
      echo "unknown argument: $1 (try --help)" >&2
      exit 2
      ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

nats_users=$(sed -n 's/^ *user: "\([^"]*\)"$/\1/p' "$here/nats/nats-accounts.yaml")
[ -n "$nats_users" ] || {
  echo "no users found in $here/nats/nats-accounts.yaml" >&2
  exit 1
}
redis_users="catga replication sentinel"

password() {
  local p=""
  while [ ${#p} -lt 40 ]; do
    p="$p$(openssl rand -base64 48 | tr -dc 'A-Za-z0-9')"
    p="${p#"${p%%[A-Za-z]*}"}"
  done
  printf '%s' "${p:0:40}"
}

b64() { base64 | tr -d '\n'; }

# One CA for both Secrets; each server certificate also serves as the client certificate of its
# routes (NATS) and of replication and Sentinel (Redis), hence both key usages.
cat > "$work/ca.cnf" << EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = catga-sample CA ($namespace)
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
openssl req -x509 -new -nodes -newkey rsa:2048 -days 3650 -config "$work/ca.cnf" -extensions ca \
  -keyout "$work/ca.key" -out "$work/ca.crt" 2> /dev/null

certificate() { # name, subjectAltName
  cat > "$work/$1.ext" << EOF
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $2
EOF
  openssl req -new -nodes -newkey rsa:2048 -subj "/CN=$1.$namespace" \
    -keyout "$work/$1.key" -out "$work/$1.csr" 2> /dev/null
  openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial \
    -days 365 -extfile "$work/$1.ext" -out "$work/$1.crt" 2> /dev/null
}
# Clients reach nats-N.nats-headless (CATGA_NATS_URL) and the routes verify the same names; Redis
# and Sentinel announce redis-N.redis-headless.<namespace>.svc, the services list
# redis-N.redis-headless. Each pod's short name is listed: Node.js (nats.js, ioredis) takes no
# wildcard over two labels, such as *.nats-headless.
pod_names() { # statefulset, headless service
  local replicas i
  replicas=$(sed -n 's/^  replicas: \([0-9][0-9]*\)$/\1/p' "$here/$1/$1-statefulset.yaml")
  for ((i = 0; i < ${replicas:?no replicas in $1-statefulset.yaml}; i++)); do printf 'DNS:%s-%d.%s, ' "$1" "$i" "$2"; done
}
certificate nats "$(pod_names nats nats-headless)DNS:*.nats-headless.$namespace.svc, DNS:nats, DNS:nats.$namespace.svc"
certificate redis "$(pod_names redis redis-headless)DNS:*.redis-headless.$namespace.svc"

header() { # name, type
  printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: %s\n' "$1" "$namespace"
  printf '  labels:\n    app.kubernetes.io/part-of: catga-sample\ntype: %s\ndata:\n' "$2"
}
tls_secret() { # name, certificate
  local crt key ca
  crt=$(b64 < "$work/$2.crt")
  key=$(b64 < "$work/$2.key")
  ca=$(b64 < "$work/ca.crt")
  header "$1" kubernetes.io/tls
  printf '  tls.crt: %s\n  tls.key: %s\n  ca.crt: %s\n' "$crt" "$key" "$ca"
}
passwords_secret() { # name, keys...
  header "$1" Opaque
  local key value
  shift
  for key in "$@"; do
    value=$(password | b64)
    printf '  %s: %s\n' "$key" "$value"
  done
}

mkdir "$work/secrets"
tls_secret nats-tls nats > "$work/secrets/nats-tls.yaml"
tls_secret redis-tls redis > "$work/secrets/redis-tls.yaml"
# shellcheck disable=SC2086
passwords_secret nats-users $nats_users > "$work/secrets/nats-users.yaml"
# shellcheck disable=SC2086
passwords_secret redis-users $redis_users > "$work/secrets/redis-users.yaml"
passwords_secret catga-operator token > "$work/secrets/catga-operator.yaml"

names="nats-tls redis-tls nats-users redis-users catga-operator"
if $print; then
  for name in $names; do
    echo "---"
    cat "$work/secrets/$name.yaml"
  done
  exit 0
fi

kubectl get namespace "$namespace" > /dev/null 2>&1 || kubectl create namespace "$namespace"
for name in $names; do
  if kubectl get secret "$name" -n "$namespace" > /dev/null 2>&1; then
    echo "secret/$name exists, kept"
  else
    kubectl create -f "$work/secrets/$name.yaml"
  fi
done
