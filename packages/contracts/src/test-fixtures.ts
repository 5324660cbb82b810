/*
 * Fixtures shared by the message parser's tests: the example payloads of device protocol v1
 * (/work/shared/contract/device-protocol-v1.md) and v1.1 (/work/shared/contract/device-protocol-v1.1-wearables.md).
 */

/** The protocols' own example payloads, verbatim, by channel. */
export const EXAMPLE_TEXT = {
  rep: `{
  "v": 1,
  "ts": 1793032889123,
  "athleteId": "a-7f3c",
  "setId": "s-0007",
  "exercise": "back_squat",
  "repIndex": 3,
  "loadKg": 100,
  "meanVelocity": 0.62,
  "peakVelocity": 1.05,
  "rom": 0.58,
  "concentricMs": 820,
  "eccentricMs": 1650
}`,
  samples: `{
  "v": 1,
  "t0": 1793032889000,
  "hz": 100,
  "athleteId": "a-7f3c",
  "setId": "s-0007",
  "exercise": "back_squat",
  "loadKg": 100,
  "position": [0.000, 0.001, 0.003],
  "force": [981.0, 990.2, 1012.7]
}`,
  set: '{ "v": 1, "event": "start", "ts": 1793032880000, "setId": "s-0007", "athleteId": "a-7f3c", "exercise": "back_squat", "loadKg": 100 }',
  status: '{ "v": 1, "online": true, "ts": 1793032880000, "firmware": "2.4.1", "model": "rack-pro" }',
  // v1.1 (/work/shared/contract/device-protocol-v1.1-wearables.md)
  imu: `{
  "v": 1,
  "t0": 1793032889000,
  "hz": 200,
  "athleteId": "a-7f3c",
  "setId": "s-0007",
  "exercise": "back_squat",
  "loadKg": 100,
  "mount": "bar",
  "accel": { "x": [0.12, 0.10], "y": [-0.05, -0.04], "z": [9.79, 9.83] },
  "gyro":  { "x": [0.001, 0.002], "y": [0.000, -0.001], "z": [0.003, 0.002] }
}`,
  hr: '{ "v": 1, "t0": 1793032880000, "athleteId": "a-7f3c", "bpm": [96, 97, 99, 101, 104], "rr": [612, 605, 598, 590] }',
} as const;
