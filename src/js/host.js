/* What host Coldbrew runs in: shared by the modules that differ between Node
 * and browsers (storage, loader, HTTP). */
export const CB_IS_NODE = typeof process === 'object' && process.versions != null && process.versions.node != null;
