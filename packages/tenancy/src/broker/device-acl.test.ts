import { describe, expect, it } from 'vitest';
import { adminRole, alertsRole, deviceAcls, deviceRole, ingestRole, type DynsecAcl } from './device-acl.js';

const granted = (acls: readonly DynsecAcl[], acltype: DynsecAcl['acltype']): string[] =>
  acls.filter((acl) => acl.acltype === acltype && acl.allow).map((acl) => acl.topic);
const denied = (acls: readonly DynsecAcl[]): DynsecAcl[] => acls.filter((acl) => !acl.allow);

describe('deviceAcls', () => {
  it('equipment: publishes on its channels and reads its own topics in its one gym', () => {
    const acls = deviceAcls({ id: 'rack-01', kind: 'equipment', gyms: ['gym-a'] });
    expect(granted(acls, 'publishClientSend')).toEqual(['gym/v1/gym-a/rack-01/+']);
    expect(granted(acls, 'subscribePattern')).toEqual(['gym/v1/gym-a/rack-01/#']);
    expect(granted(acls, 'publishClientReceive')).toEqual(['gym/v1/gym-a/rack-01/#']);
  });

  it('wearable: the same in each of its gyms, once per gym', () => {
    const acls = deviceAcls({ id: 'bar-7', kind: 'wearable', gyms: ['gym-a', 'gym-b', 'gym-a'] });
    expect(granted(acls, 'publishClientSend')).toEqual(['gym/v1/gym-a/bar-7/+', 'gym/v1/gym-b/bar-7/+']);
    expect(granted(acls, 'subscribePattern')).toEqual(['gym/v1/gym-a/bar-7/#', 'gym/v1/gym-b/bar-7/#']);
  });

  it('coach app: reads its gyms’ alerts and publishes nothing', () => {
    const acls = deviceAcls({ id: 'coach-1', kind: 'coach-app', gyms: ['gym-a', 'gym-b'] });
    expect(granted(acls, 'publishClientSend')).toEqual([]);
    expect(granted(acls, 'subscribePattern')).toEqual(['gym/v1/gym-a/alerts', 'gym/v1/gym-b/alerts']);
    expect(granted(acls, 'publishClientReceive')).toEqual(['gym/v1/gym-a/alerts', 'gym/v1/gym-b/alerts']);
  });

  it.each(['equipment', 'wearable', 'coach-app'] as const)('%s: every other topic is refused at delivery, below its grants', (kind) => {
    const acls = deviceAcls({ id: 'd-1', kind, gyms: ['gym-a'] });
    expect(denied(acls)).toEqual([{ acltype: 'publishClientReceive', topic: '#', priority: -1, allow: false }]);
    expect(acls.filter((acl) => acl.allow).every((acl) => acl.priority > -1)).toBe(true);
  });
});

describe('deviceRole', () => {
  it('is named after the device', () => {
    expect(deviceRole({ id: 'rack-01', kind: 'equipment', gyms: ['gym-a'] }).rolename).toBe('device.rack-01');
  });
});

describe('pipeline and admin roles', () => {
  it('ingest subscribes to the telemetry, plainly or as a shared subscription, and publishes nothing', () => {
    const acls = ingestRole().acls;
    expect(granted(acls, 'subscribePattern')).toEqual(['gym/v1/#', '$share/+/gym/v1/#']);
    expect(granted(acls, 'publishClientSend')).toEqual([]);
  });

  it('alerts publishes coach alerts only and subscribes to nothing', () => {
    const acls = alertsRole().acls;
    expect(granted(acls, 'publishClientSend')).toEqual(['gym/v1/+/alerts']);
    expect(granted(acls, 'subscribePattern')).toEqual([]);
  });

  it('admin reaches the control topics and $SYS, not the telemetry', () => {
    const acls = adminRole().acls;
    expect(granted(acls, 'publishClientSend')).toEqual(['$CONTROL/dynamic-security/#']);
    expect(granted(acls, 'subscribePattern')).toEqual(['$CONTROL/dynamic-security/#', '$SYS/#']);
    expect(acls.some((acl) => acl.topic.startsWith('gym/') || acl.topic === '#')).toBe(false);
  });
});
