/** The server side of a scenario, running in its own process until the runner stops it. */
export interface RunningServer {
  close(): Promise<void>;
}
