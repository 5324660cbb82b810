// The all-in-one pipeline on real servers with its TSDB writes recorded (a recording proxy in front of
// the TSDB), a test device, and the pipeline's queues: what the wearable session tests start.
import { QUEUES, setJobId } from '@neurolift/contracts';
import type { Pipeline } from '@neurolift/pipeline';
import type { MqttClient } from 'mqtt';
import { openClosing } from './closer.js';
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

/**
 * Starts the servers, the recording proxy, the pipeline with `settings` (INFLUX_URL set to the proxy), a
 * device and the queues; `close` closes them, last started first. On a failure, closes what had started and throws.
 */
export async function startRecordedPipeline(settings: Record<string, string>): Promise<RecordedPipeline> {
  return openClosing(async (closer) => {
    const servers = closer.add(await startServers(), (started) => started.stop());
    const tsdb = closer.add(await startRecordingProxy(servers.env.INFLUX_URL), (proxy) => proxy.close());
    const pipeline = closer.add(await startTestPipeline(pipelineEnv(servers.env, { INFLUX_URL: tsdb.url, ...settings })), (started) => started.close());
    const device = closer.add(await connectDevice(servers.env.MQTT_URL), (client) => client.endAsync());
    const queues = closer.add(new PipelineQueues(servers.env.REDIS_URL), (opened) => opened.close());
    const rig: Omit<RecordedPipeline, 'close'> = {
      servers,
      pipeline,
      device,
      tsdb,
      queues,
      setDone: async (gym, station, setId) => {
        const job = await queues.get(QUEUES.sets).getJob(setJobId(gym, station, setId, 0));
        return job?.finishedOn ? true : undefined;
      },
    };
    return rig;
  });
}
