// The key-selection trace for the page: the core's explainSelection, which decodes the header
// and applies the selection rule exactly as verification does. Nothing is decided here.

// { source, alg, kid?, kids, candidates, trace: [{index, kid?, filteredBy?, detail?}] } from
// the core, or { source, alg, kid, error } (alg and kid then as the decoded header shows them).
export function selectionTrace(jv, keySet, token, header) {
  const source = 'explainSelection';
  try {
    return { source, ...jv.explainSelection(keySet, token) };
  } catch (error) {
    return { source, alg: header?.alg, kid: header?.kid, error };
  }
}
