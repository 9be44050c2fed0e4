// Types of the starfleet worker SDK (worker.js): require("worker") or require("starfleet-worker").

/** Starfleet's send_alert levels. */
export type AlertPriority = "PROBLEM" | "IMPORTANT" | "SUCCESS" | "INFORMATIONAL";

export const ALERT_PRIORITIES: readonly AlertPriority[];

/** The Lambda context the warm runtime (starfleet-runtime.js) or AWS Lambda passes a handler. */
export interface LambdaContext {
  awsRequestId: string;
  invokedFunctionArn?: string;
  functionName?: string;
  functionVersion?: string;
  memoryLimitInMB?: string;
  logGroupName?: string;
  logStreamName?: string;
  clientContext?: { client?: unknown; custom?: Record<string, string>; env?: unknown };
  identity?: { cognitoIdentityId?: string; cognitoIdentityPoolId?: string };
  callbackWaitsForEmptyEventLoop?: boolean;
  getRemainingTimeInMillis(): number;
  [key: string]: unknown;
}

/** Console-like, to stderr, one line per call: "LEVEL message". */
export interface WorkerLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  warning(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface InvokeOptions {
  account?: string | null;
  region?: string | null;
  commit?: boolean | null;
}

/** The second argument of Worker.execute. */
export class WorkerContext {
  constructor(fields: {
    worker: string;
    accountId?: string | null;
    region?: string | null;
    commit?: boolean;
    messageId?: string | null;
    receiveCount?: number;
    lambdaContext?: LambdaContext | null;
    perPayload?: boolean;
  });
  readonly worker: string;
  readonly accountId: string | null;
  readonly region: string | null;
  readonly commit: boolean;
  readonly messageId: string | null;
  /** 1 on the first attempt. */
  readonly receiveCount: number;
  /** null in per-payload mode. */
  readonly lambdaContext: LambdaContext | null;
  /** The alerts raised during this payload. */
  readonly alerts: { priority: AlertPriority; text: string }[];
  /** The worker's configuration section (STARFLEET_WORKER_CONFIG_FILE), {} when absent. */
  readonly config: Record<string, any>;
  /** STARFLEET_SETTINGS_FILE ({STARFLEET, AccountIndexFile, ConfigDirectory}), {} when absent. */
  readonly settings: Record<string, any>;
  /** The worker's STARFLEET.SecretsManager entry, {} when absent. */
  readonly secrets: any;
  /** name -> contents of the worker's systemd credentials. */
  readonly credentials: Record<string, string>;
  readonly logger: WorkerLogger;
  /** null in per-payload mode. */
  getRemainingTimeInMillis(): number | null;
  /** Resolves true when the daemon took the alert; delivery failures are logged, never thrown. */
  alert(priority: AlertPriority | { name: AlertPriority }, text: string): Promise<boolean>;
  /** RequestResponse (requireResponse): the invoked worker's result; Event: undefined. Rejects with InvokeError. */
  invoke(name: string, payload: unknown, requireResponse?: boolean, options?: InvokeOptions): Promise<any>;
}

/** A failed context.invoke: the invoked worker failed (X-Amz-Function-Error) or the call did. */
export class InvokeError extends Error {
  constructor(message: string, fields?: { errorType?: string; stackTrace?: string[]; status?: number; functionName?: string });
  readonly errorMessage: string;
  readonly errorType: string | undefined;
  readonly stackTrace: string[];
  readonly status: number | undefined;
  readonly functionName: string | undefined;
}

/** Some records of a multi-record SQS event failed. */
export class BatchFailure extends Error {
  constructor(errors: { messageId: string | undefined; error: unknown }[], total: number);
  readonly errors: { messageId: string | undefined; error: unknown }[];
}

export type LambdaHandler = ((event: unknown, lambdaContext?: LambdaContext | null) => Promise<any>) & {
  workerClass: WorkerClass;
};

export interface WorkerClass {
  new (): Worker;
  /** The worker's name when neither starfleetd nor Lambda gives one. */
  workerName?: string;
  handler(): LambdaHandler;
  main(): Promise<number>;
}

/** Base class of a worker: override execute(event, context). */
export class Worker {
  /** The result is what it returns (or resolves to); a throw or rejection fails the attempt. */
  execute(event: any, context: WorkerContext): Promise<unknown> | unknown;
  /** handler = MyWorker.handler(): the Lambda handler (SQS-shaped events are unwrapped). */
  static handler(): LambdaHandler;
  /** Per-payload mode: the payload JSON from stdin, the result JSON on stdout; sets process.exitCode. */
  static main(): Promise<number>;
  static workerName?: string;
}

export function lambdaHandler(cls: WorkerClass): LambdaHandler;
/** Per-payload mode for cls; resolves to the exit status. */
export function runPayload(cls: WorkerClass): Promise<number>;
/** The Worker subclass a module exports (by name, or the only one / the only leaf one). */
export function findWorkerClass(mod: unknown, className?: string): WorkerClass;
export function makeContext(
  cls: WorkerClass,
  payload: unknown,
  lambdaContext?: LambdaContext | null,
  record?: Record<string, any> | null,
  perPayload?: boolean
): WorkerContext;
