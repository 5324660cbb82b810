#!/usr/bin/env node
// Writes the broker's dynamic security file for its first start, unless it exists: the registry's
// admin (neurolift.admin) and the pipeline's users with their roles; devices are added live by the
// registry. Plain Node (node:* only): it runs in the services' image before anything else, as
// docker-compose.yml's broker-init. Usage: node dynsec-init.mjs <file> [--chown uid:gid]
// Passwords from BROKER_ADMIN_PASSWORD, INGEST_MQTT_PASSWORD, ALERTS_MQTT_PASSWORD.
// The same content as packages/tenancy/src/broker/dynsec-bootstrap.ts (test/src/dynsec-init.test.ts
// compares them).
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { chown, link, open, rm } from 'node:fs/promises';
import path from 'node:path';

/** PBKDF2-HMAC-SHA512, 12-byte salt, 64-byte key, 101 iterations: the plugin's own format (mosquitto 2.0). */
function hashPassword(password) {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  return { password: hash.toString('base64'), salt: salt.toString('base64'), iterations: 101 };
}

const allow = (acltype, topic) => ({ acltype, topic, priority: 0, allow: true });
const receiveNothingElse = { acltype: 'publishClientReceive', topic: '#', priority: -1, allow: false };
const control = '$CONTROL/dynamic-security/#';

/** @param {{ admin: string, ingest: string, alerts: string }} passwords */
export function bootstrapFile(passwords) {
  const client = (username, textname, password, rolename) => ({ username, textname, ...hashPassword(password), roles: [{ rolename }] });
  return {
    defaultACLAccess: { publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true },
    clients: [
      client('neurolift.admin', 'device registry', passwords.admin, 'admin'),
      client('neurolift.ingest', 'ingest service', passwords.ingest, 'neurolift.ingest'),
      client('neurolift.alerts', 'alerts service', passwords.alerts, 'neurolift.alerts'),
    ],
    groups: [],
    roles: [
      {
        rolename: 'admin',
        textname: 'administers the dynamic security plugin',
        acls: [allow('publishClientSend', control), allow('publishClientReceive', control), allow('subscribePattern', control), allow('publishClientReceive', '$SYS/#'), allow('subscribePattern', '$SYS/#')],
      },
      {
        rolename: 'neurolift.ingest',
        textname: 'ingest: reads the telemetry',
        acls: [allow('subscribePattern', 'gym/v1/#'), allow('subscribePattern', '$share/+/gym/v1/#'), allow('publishClientReceive', 'gym/v1/#'), receiveNothingElse],
      },
      { rolename: 'neurolift.alerts', textname: 'alerts: publishes coach alerts', acls: [allow('publishClientSend', 'gym/v1/+/alerts'), receiveNothingElse] },
    ],
  };
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main() {
  const [file, flag, owner] = process.argv.slice(2);
  if (!file || (flag !== undefined && (flag !== '--chown' || !/^\d+:\d+$/.test(owner ?? '')))) {
    throw new Error('usage: dynsec-init.mjs <file> [--chown uid:gid]');
  }
  const passwords = { admin: required('BROKER_ADMIN_PASSWORD'), ingest: required('INGEST_MQTT_PASSWORD'), alerts: required('ALERTS_MQTT_PASSWORD') };
  // Written beside it, then renamed: a crash never leaves a half file for the broker to load.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(bootstrapFile(passwords), null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // The broker (uid 1883 in the eclipse-mosquitto image) reads it and rewrites it on every change.
    if (owner) {
      const [uid, gid] = owner.split(':').map(Number);
      await chown(temp, uid, gid);
    }
    // link, not rename: it fails when the file exists, so a running deployment's users stay untouched.
    await link(temp, file);
    console.log(`dynsec-init: wrote ${file}`);
  } catch (error) {
    if (error?.code !== 'EEXIST') throw error;
    console.log(`dynsec-init: ${file} exists; left as it is`);
  } finally {
    await rm(temp, { force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((error) => {
    console.error(`dynsec-init: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
