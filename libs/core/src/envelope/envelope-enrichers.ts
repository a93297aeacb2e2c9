/**
 * Functions that add headers to every new envelope (trace context, tenant…). Observability
 * registers the W3C trace-context injector here, so the core needs no tracing dependency.
 */
export type EnvelopeEnricher = (headers: Record<string, string>) => void;

const enrichers: EnvelopeEnricher[] = [];

/** Adds an enricher; returns a function that removes it. */
export function addEnvelopeEnricher(enricher: EnvelopeEnricher): () => void {
  enrichers.push(enricher);
  return () => {
    const i = enrichers.indexOf(enricher);
    if (i >= 0) enrichers.splice(i, 1);
  };
}

export function enrichHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (enrichers.length === 0) return headers;
  const out = { ...headers };
  for (const enrich of enrichers) enrich(out);
  return out;
}
