/** The client side of a request-reply scenario: asks a server in another process for a + b. */
export interface RemoteAdd {
  add(a: number, b: number): Promise<number>;
  close(): Promise<void>;
}
