// The pipeline's own broker users, as in production (their roles: packages/tenancy/src/broker/device-acl.ts):
// ingest reads the telemetry, alerts writes gym/v1/+/alerts, each with its own password.

/** The pipeline settings (for pipelineEnv) that connect ingest and alerts as their broker users. */
export function pipelineBrokerUsers(passwords: { readonly 'neurolift.ingest': string; readonly 'neurolift.alerts': string }): Record<string, string> {
  return {
    MQTT_CLIENT_ID: 'neurolift-ingest',
    MQTT_USERNAME: 'neurolift.ingest',
    MQTT_PASSWORD: passwords['neurolift.ingest'],
    ALERTS_MQTT_USERNAME: 'neurolift.alerts',
    ALERTS_MQTT_PASSWORD: passwords['neurolift.alerts'],
  };
}
