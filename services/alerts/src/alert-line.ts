import { MEASUREMENTS, type AlertMessage } from '@neurolift/contracts';
import { float, line, str } from '@neurolift/storage';

/**
 * The `alert` point (Grafana annotations): tags gym, athlete, station, rule, severity; fields message,
 * value, threshold, alert_id. Daily alerts have no station: their tag is `-`, so every point has the
 * same tag keys. Time = when the condition was observed; a re-write of the same alert overwrites it.
 */
export function alertLine(alert: AlertMessage): string {
  return line(
    MEASUREMENTS.alert,
    { gym: alert.gymId, athlete: alert.athleteId, station: alert.stationId ?? '-', rule: alert.rule, severity: alert.severity },
    {
      message: str(alert.message),
      value: float(alert.value),
      threshold: float(alert.threshold),
      unit: str(alert.unit),
      alert_id: str(alert.id),
      set_id: alert.setId === undefined ? undefined : str(alert.setId),
      model: str(alert.model),
    },
    alert.ts,
  );
}
