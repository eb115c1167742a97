#!/bin/bash
# API Portal host preparation: cloud-init user data rendered by constructs_lib.portal_fleet.render_user_data.
# Storage mode: $storage_mode. Install hook: $install_mode.
# Order: Apache with TLS on 443 (the NLB's TCP health check hits it), the portal's data directories, the
# storage that holds the shared paths, then the install hook. Logs stay local (/var/log).
# The template doubles every shell dollar; the script never writes a dollar followed by a brace, because
# Terraform would read that as an interpolation.
set -euo pipefail

PORTAL_HTDOC=/opt/axway/apiportal/htdoc
SHARED_MOUNT=/mnt/portal-shared
DATA_MOUNT=/mnt/portal-data
EFS_FILE_SYSTEM_ID='$efs_file_system_id'
EFS_ACCESS_POINT_ID='$efs_access_point_id'
EFS_REGION='$efs_region'
DATA_DEVICE='$data_device'
INSTALLER_S3_URI='$installer_s3_uri'
INSTALL_DIR=/opt/portal-install
INSTALL_LOG=/var/log/portal-install.log
INSTALL_DONE=/var/lib/portal-install.done

log() { echo "portal-user-data: $$*"; }

# retry <attempts> <seconds> <command...>: storage may come up a little after the instance does.
retry() {
  local attempts=$$1 pause=$$2 n=1
  shift 2
  until "$$@"; do
    if [ "$$n" -ge "$$attempts" ]; then
      log "giving up after $$n attempts: $$*"
      return 1
    fi
    n=$$((n + 1))
    sleep "$$pause"
  done
}

# imds <path>: instance metadata through IMDSv2 (the instances require session tokens).
imds() {
  local token
  token=$$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
  curl -fsS -H "X-aws-ec2-metadata-token: $$token" "http://169.254.169.254/latest/meta-data/$$1"
}

install_apache() {
  dnf install -y httpd mod_ssl openssl
  local crt=/etc/pki/tls/certs/localhost.crt key=/etc/pki/tls/private/localhost.key
  if [ ! -s "$$crt" ] || [ ! -s "$$key" ]; then
    log "creating a self-signed TLS certificate for Apache"
    openssl req -x509 -nodes -newkey rsa:2048 -sha256 -days 825 -subj "/CN=$$(hostname)" \
      -keyout "$$key" -out "$$crt"
    chmod 600 "$$key"
  fi
  install -d -m 755 /var/www/portal-healthz
  echo ok > /var/www/portal-healthz/healthz.html
  cat > /etc/httpd/conf.d/portal-healthz.conf <<'EOF'
# Static health page, independent of the portal's own document root.
Alias /healthz /var/www/portal-healthz/healthz.html
<Directory /var/www/portal-healthz>
    Require all granted
</Directory>
EOF
  systemctl enable httpd
  systemctl restart httpd
}

# bind_shared <storage root> <path under the htdoc>: keep that path on the storage, bound onto the htdoc.
bind_shared() {
  local source="$$1/$$2" target="$$PORTAL_HTDOC/$$2"
  mkdir -p "$$source" "$$target"
  if ! grep -qsF "$$source $$target none bind" /etc/fstab; then
    echo "$$source $$target none bind,x-systemd.requires-mounts-for=$$1 0 0" >> /etc/fstab
  fi
  mountpoint -q "$$target" || mount "$$target"
}

setup_efs() {
  dnf install -y amazon-efs-utils
  local conf=/etc/amazon/efs/efs-utils.conf
  if grep -qE '^#? *region *=' "$$conf"; then
    sed -i -E "s|^#? *region *=.*|region = $$EFS_REGION|" "$$conf"
  else
    sed -i "/^\[mount\]/a region = $$EFS_REGION" "$$conf"
  fi
  mkdir -p "$$SHARED_MOUNT"
  # efs-utils resolves FS_ID.efs.REGION.amazonaws.com (answered by a private zone in remote datacenters).
  if ! grep -qsF " $$SHARED_MOUNT efs " /etc/fstab; then
    echo "$$EFS_FILE_SYSTEM_ID:/ $$SHARED_MOUNT efs tls,iam,accesspoint=$$EFS_ACCESS_POINT_ID,_netdev,noresvport 0 0" >> /etc/fstab
  fi
  mountpoint -q "$$SHARED_MOUNT" || retry 30 10 mount "$$SHARED_MOUNT"
}

# find_data_device: the NVMe device behind the /dev/sdf block device mapping.
find_data_device() {
  local dev
  for dev in "$$DATA_DEVICE" /dev/xvdf; do
    if [ -b "$$dev" ]; then readlink -f "$$dev"; return 0; fi
  done
  for dev in /dev/nvme*n1; do
    [ -b "$$dev" ] || continue
    if ebsnvme-id -b "$$dev" 2>/dev/null | grep -qE '^(/dev/)?(sd|xvd)f$$'; then echo "$$dev"; return 0; fi
  done
  return 1
}

setup_data_volume() {
  local device uuid
  device=$$(retry 60 5 find_data_device)
  if ! blkid "$$device" > /dev/null 2>&1; then
    log "formatting the blank data volume $$device"
    mkfs.xfs -L portal-data "$$device"
  fi
  uuid=$$(blkid -s UUID -o value "$$device")
  mkdir -p "$$DATA_MOUNT"
  if ! grep -qsF " $$DATA_MOUNT xfs " /etc/fstab; then
    echo "UUID=$$uuid $$DATA_MOUNT xfs defaults,nofail 0 2" >> /etc/fstab
  fi
  mountpoint -q "$$DATA_MOUNT" || mount "$$DATA_MOUNT"
}

# run_install_script <base64 text>: the operator's install script, run once, as root.
run_install_script() {
  install -d -m 700 "$$INSTALL_DIR"
  echo "$$1" | base64 -d > "$$INSTALL_DIR/install.sh"
  chmod 700 "$$INSTALL_DIR/install.sh"
  log "running the install script, output in $$INSTALL_LOG"
  "$$INSTALL_DIR/install.sh" >> "$$INSTALL_LOG" 2>&1
  touch "$$INSTALL_DONE"
}

# run_s3_installer: download the installer named by INSTALLER_S3_URI, run it once, as root.
run_s3_installer() {
  local region
  region=$$(imds placement/region)
  install -d -m 700 "$$INSTALL_DIR"
  log "downloading $$INSTALLER_S3_URI, output in $$INSTALL_LOG"
  aws s3 cp --only-show-errors --region "$$region" "$$INSTALLER_S3_URI" "$$INSTALL_DIR/installer" >> "$$INSTALL_LOG" 2>&1
  chmod 700 "$$INSTALL_DIR/installer"
  "$$INSTALL_DIR/installer" >> "$$INSTALL_LOG" 2>&1
  touch "$$INSTALL_DONE"
}

log "preparing the API Portal host"
install_apache

# The API Portal data directories.
install -d -m 755 "$$PORTAL_HTDOC"
$portal_dirs

# The paths every portal instance must see alike (storage mode: $storage_mode).
$storage_setup

# The install hook ($install_mode), once per instance.
if [ -e "$$INSTALL_DONE" ]; then
  log "install hook already ran"
else
$install_hook
fi
log "done"
