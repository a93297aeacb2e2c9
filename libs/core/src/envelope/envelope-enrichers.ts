/**
 * Adds headers to every new envelope (trace context, tenant…). Observability registers the W3C
 * trace-context injector (through `CatgaSignals.enrichEnvelopes`), so the core needs no tracing dependency.
 */
export type EnvelopeEnricher = (headers: Record<string, string>) => void;

/** One application's enrichers, applied in the order they were added. */
export class EnvelopeEnrichers {
  private readonly enrichers: EnvelopeEnricher[] = [];

  /** Adds an enricher; returns a function that removes it. */
  add(enricher: EnvelopeEnricher): () => void {
    this.enrichers.push(enricher);
    return () => {
      const i = this.enrichers.indexOf(enricher);
      if (i >= 0) this.enrichers.splice(i, 1);
    };
  }

  apply(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    if (this.enrichers.length === 0) return headers;
    const out = { ...headers };
    for (const enrich of this.enrichers) enrich(out);
    return out;
  }
}
