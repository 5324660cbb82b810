// The all-in-one pipeline on real servers with its TSDB writes recorded (a recording proxy in front of
// the TSDB), a test device, and the pipeline's queues: what the wearable session tests start.
import { QUEUES, setJobId } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import type { MqttClient } from 'mqtt';
import { connectDevice, pipelineEnv, startTestPipeline } from './pipeline.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';
import { startServers, type LocalServices } from './servers.js';
import { PipelineQueues } from './wearable-points.js';

export interface RecordedPipeline {
  readonly servers: LocalServices;
  readonly pipeline: Pipeline;
  readonly device: MqttClient;
  readonly tsdb: RecordingProxy;
  readonly queues: PipelineQueues;
  /** Whether the set job of `setId` at `station` (first attempt's id) has finished. */
  setDone(gym: string, station: string, setId: string): Promise<true | undefined>;
  close(): Promise<void>;
}

interface Started {
  servers?: LocalServices;
  pipeline?: Pipeline;
  device?: MqttClient;
  tsdb?: RecordingProxy;
  queues?: PipelineQueues;
}

async function closeStarted(started: Started): Promise<void> {
  await started.device?.endAsync();
  await started.queues?.close();
  await started.pipeline?.close();
  await started.tsdb?.close();
  await started.servers?.stop();
}

/**
 * Starts the servers, the recording proxy, the pipeline with `settings` (INFLUX_URL set to the proxy), a
 * device and the queues; on a failure, closes what had started and throws.
 */
export async function startRecordedPipeline(settings: Record<string, string>): Promise<RecordedPipeline> {
  const started: Started = {};
  try {
    const servers = (started.servers = await startServers());
    const tsdb = (started.tsdb = await startRecordingProxy(servers.env.INFLUX_URL));
    const pipeline = (started.pipeline = await startTestPipeline(pipelineEnv(servers.env, { INFLUX_URL: tsdb.url, ...settings })));
    const device = (started.device = await connectDevice(servers.env.MQTT_URL));
    const queues = (started.queues = new PipelineQueues(servers.env.REDIS_URL));
    return {
      servers,
      pipeline,
      device,
      tsdb,
      queues,
      setDone: async (gym, station, setId) => {
        const job = await queues.get(QUEUES.sets).getJob(setJobId(gym, station, setId, 0));
        return job?.finishedOn ? true : undefined;
      },
      close: () => closeStarted(started),
    };
  } catch (error) {
    await closeStarted(started);
    throw error;
  }
}
