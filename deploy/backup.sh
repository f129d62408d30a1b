#!/bin/sh
# pg_dump of the influence_map database into BACKUP_DIR, deleting dumps older than
# BACKUP_KEEP_DAYS days. Run as the postgres user (influence-map-backup.service).
# Restore: README, "Production", "Backups".
set -eu
dir=${BACKUP_DIR:-/var/backups/influence-map}
keep=${BACKUP_KEEP_DAYS:-14}
db=${BACKUP_DATABASE:-influence_map}
umask 077
mkdir -p "$dir"
file="$dir/$db-$(date +%Y-%m-%dT%H%M%S).dump"
# Written under a temporary name: a dump that fails halfway is never taken for a backup.
pg_dump --format=custom --file="$file.partial" "$db"
mv "$file.partial" "$file"
find "$dir" -maxdepth 1 -name "$db-*.dump" -mtime +"$keep" -delete
find "$dir" -maxdepth 1 -name "$db-*.dump.partial" -mtime +1 -delete
echo "Backed up $db to $file"
