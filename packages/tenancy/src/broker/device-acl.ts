import type { Device } from '../model.js';

/**
 * What the broker lets each user do, as dynamic security plugin roles (mosquitto 2.0.11: the ACL types
 * of plugins/dynamic-security/dynamic_security.h). Pure: the adapter sends these, the bootstrap file
 * holds the pipeline's and the admin's.
 */
export type DynsecAclType = 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern' | 'unsubscribeLiteral' | 'unsubscribePattern';

export interface DynsecAcl {
  readonly acltype: DynsecAclType;
  readonly topic: string;
  /** Within a type, higher first; the first match decides. */
  readonly priority: number;
  readonly allow: boolean;
}

export interface DynsecRole {
  readonly rolename: string;
  readonly textname: string;
  readonly acls: readonly DynsecAcl[];
}

/** Where nothing matches. Publishing and subscribing must be granted; reading is narrowed per role below. */
export const DEFAULT_ACL_ACCESS = { publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true } as const;

export const ADMIN_USER = 'neurolift.admin';
export const INGEST_USER = 'neurolift.ingest';
export const ALERTS_USER = 'neurolift.alerts';
/** The role name `mosquitto_ctrl dynsec init` gives its admin. */
export const ADMIN_ROLE = 'admin';
export const INGEST_ROLE = 'neurolift.ingest';
export const ALERTS_ROLE = 'neurolift.alerts';

/** The control topics: commands go to `…/v1`, answers come on `…/v1/response`. */
export const DYNSEC_CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_CONTROL_TOPIC}/response`;

const allow = (acltype: DynsecAclType, topic: string): DynsecAcl => ({ acltype, topic, priority: 0, allow: true });
/**
 * Receiving is allowed by default (unsubscribe and the plugin's own replies need it), and Mosquitto
 * checks a subscription's filter only when it is made: a device whose gyms shrink keeps its old
 * subscriptions. Denying every other topic at delivery closes that.
 */
const receiveNothingElse: DynsecAcl = { acltype: 'publishClientReceive', topic: '#', priority: -1, allow: false };

/** A device's role: one per device, named after its id (ids have no `.`, so no clash with the pipeline's). */
export function deviceRoleName(deviceId: string): string {
  return `device.${deviceId}`;
}

/**
 * equipment and wearables: publish on `gym/v1/<gym>/<id>/<channel>` and read back their own topics
 * (their retained status) for each gym they may use; coach apps: read `gym/v1/<gym>/alerts` only.
 */
export function deviceAcls(device: Pick<Device, 'id' | 'kind' | 'gyms'>): DynsecAcl[] {
  const gyms = [...new Set(device.gyms)];
  const acls: DynsecAcl[] = [];
  for (const gym of gyms) {
    if (device.kind === 'coach-app') {
      const alerts = `gym/v1/${gym}/alerts`;
      acls.push(allow('subscribePattern', alerts), allow('publishClientReceive', alerts));
    } else {
      const own = `gym/v1/${gym}/${device.id}`;
      acls.push(allow('publishClientSend', `${own}/+`), allow('subscribePattern', `${own}/#`), allow('publishClientReceive', `${own}/#`));
    }
  }
  acls.push(receiveNothingElse);
  return acls;
}

export function deviceRole(device: Pick<Device, 'id' | 'kind' | 'gyms'>): DynsecRole {
  return { rolename: deviceRoleName(device.id), textname: `${device.kind} ${device.id}`, acls: deviceAcls(device) };
}

/**
 * Ingest reads all telemetry: `gym/v1/#`, or `$share/<group>/gym/v1/#` when instances share the stream
 * (INGEST_SHARED_GROUP). Mosquitto checks the subscription with its `$share/<group>/` prefix, so the
 * shared form needs its own grant.
 */
export function ingestRole(): DynsecRole {
  return {
    rolename: INGEST_ROLE,
    textname: 'ingest: reads the telemetry',
    acls: [allow('subscribePattern', 'gym/v1/#'), allow('subscribePattern', '$share/+/gym/v1/#'), allow('publishClientReceive', 'gym/v1/#'), receiveNothingElse],
  };
}

/** The alerts service publishes coach alerts and nothing else. */
export function alertsRole(): DynsecRole {
  return { rolename: ALERTS_ROLE, textname: 'alerts: publishes coach alerts', acls: [allow('publishClientSend', 'gym/v1/+/alerts'), receiveNothingElse] };
}

/**
 * The plugin's admin role as `mosquitto_ctrl dynsec init` makes it, less its read access to every
 * topic (`#`): the registry only needs the control topics, and $SYS for diagnostics.
 */
export function adminRole(): DynsecRole {
  const control = '$CONTROL/dynamic-security/#';
  return {
    rolename: ADMIN_ROLE,
    textname: 'administers the dynamic security plugin',
    acls: [
      allow('publishClientSend', control),
      allow('publishClientReceive', control),
      allow('subscribePattern', control),
      allow('publishClientReceive', '$SYS/#'),
      allow('subscribePattern', '$SYS/#'),
    ],
  };
}
