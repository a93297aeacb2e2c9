/** Where this instance is in its life: readiness reports not-ready while it drains. */
export class CatgaLifecycle {
  private drainingSince: number | undefined;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  markDraining(): void {
    this.drainingSince ??= Date.now();
  }
}
