// Types for local-services.mjs (plain JavaScript so it runs before anything is built).

export type ServiceName = 'mosquitto' | 'redis' | 'victoria-metrics' | 'influxdb';
/** What startLocalServices starts when no services are named (InfluxDB 1.x only on request). */
export type DefaultServiceName = 'mosquitto' | 'redis' | 'victoria-metrics';

/** One running (or stopped) server process owned by this Node process. */
export interface ServerHandle {
  readonly name: ServiceName;
  /** Fixed for the handle's life: restart() reuses it. */
  readonly port: number;
  /** mqtt://127.0.0.1:port, redis://127.0.0.1:port or http://127.0.0.1:port (VictoriaMetrics, InfluxDB 1.x) */
  readonly url: string;
  /** Undefined while the server is not running. */
  readonly pid: number | undefined;
  /** The run's temporary folder (shared by all servers of one startLocalServices call). */
  readonly dir: string;
  readonly logFile: string;
  /** Starts the process and waits until it answers (20 s timeout; the error carries the log tail). */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
  stop(): Promise<void>;
  /** Sends the signal (default SIGKILL, i.e. a crash) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** stop() then start() on the same port and data folder. */
  restart(): Promise<void>;
  /** SIGSTOP: the port stays open but nothing answers until resume(). */
  pause(): void;
  /** SIGCONT */
  resume(): void;
}

/** Mosquitto listens twice: MQTT over TCP (`port`, `url`) and MQTT over WebSockets, with the same users and ACL. */
export interface MosquittoHandle extends ServerHandle {
  readonly name: 'mosquitto';
  /** The WebSocket listener's port; fixed for the handle's life like `port`. */
  readonly wsPort: number;
  /** ws://127.0.0.1:wsPort (browsers and apps; behind a TLS proxy in production, wss://). */
  readonly wsUrl: string;
}

export interface LocalServicesOptions<S extends ServiceName = DefaultServiceName> {
  /** Default: mosquitto, redis and victoria-metrics; 'influxdb' only when named. */
  services?: readonly S[];
  /** Data folder to use (created if missing) instead of a fresh temporary one. */
  dir?: string;
  /** Lines appended to the generated mosquitto.conf. */
  mosquittoExtraConfig?: string;
  /**
   * Mosquitto with the dynamic security plugin and its JSON file (which it rewrites on every change):
   * no anonymous clients, users and ACLs from the file and the control topic. Without it, anonymous
   * clients may do anything.
   */
  dynsec?: { file: string };
  /** Appended to the redis-server command line, e.g. ['--appendfsync', 'always']. */
  redisExtraArgs?: readonly string[];
  /** Keep the folder (data and logs) after stop(). */
  keepDir?: boolean;
}

interface HandleTypes {
  mosquitto: MosquittoHandle;
  redis: ServerHandle;
  'victoria-metrics': ServerHandle;
  influxdb: ServerHandle;
}
interface HandleKeys {
  mosquitto: 'mosquitto';
  redis: 'redis';
  'victoria-metrics': 'victoriaMetrics';
  influxdb: 'influxdb';
}
interface UrlKeys {
  /** MQTT over TCP, and MQTT over WebSockets (same broker, users and ACL). */
  mosquitto: 'MQTT_URL' | 'MQTT_WS_URL';
  redis: 'REDIS_URL';
  'victoria-metrics': 'INFLUX_URL';
  /** InfluxDB 1.x HTTP API (/ping, /query, /write): InfluxQL, no 2.x write API, so not INFLUX_URL. */
  influxdb: 'INFLUXDB1_URL';
}

/** Environment for the services under test; URLs only for the servers that were started. */
export type LocalServicesEnv<S extends ServiceName = DefaultServiceName> = { [K in UrlKeys[S]]: string } & {
  INFLUX_TOKEN: 'local';
  INFLUX_ORG: 'neurolift';
  INFLUX_BUCKET: 'telemetry';
};

export type LocalServices<S extends ServiceName = DefaultServiceName> = { [K in S as HandleKeys[K]]: HandleTypes[K] } & {
  readonly dir: string;
  readonly env: LocalServicesEnv<S>;
  /** Stops every server and removes the folder unless keepDir. */
  stop(): Promise<void>;
};

/** Starts the requested servers (default: the three the pipeline needs) in parallel on free ports. */
export function startLocalServices<S extends ServiceName = DefaultServiceName>(options?: LocalServicesOptions<S>): Promise<LocalServices<S>>;

/** A TCP port that was free on 127.0.0.1 a moment ago (listen on 0, read, close). */
export function freePort(): Promise<number>;

/** Installs missing Debian packages with apt-get when root; otherwise throws with the command to run. */
export function ensurePackages(pkgs: readonly string[]): Promise<void>;
