/* Coldbrew.installPackages(): JavaScript's half of installing wheels at run time.
 *
 * The resolver, the checks and the install are Python's
 * (src/py/_coldbrew/packages.py, shared with Python's own
 * Coldbrew.install_packages()). It asks for URLs; this module fetches them
 * with fetch() — asynchronously, so a page stays responsive while wheels
 * download — or, in Node, reads them from host paths, and sends the bytes
 * back, until Python says what it installed. Relative locations are made
 * absolute first (against the page in browsers, the current directory in
 * Node), because Python cannot know either. */
import { cbRequireLoaded } from './instance.js';
import { cbCheckString } from './options.js';
import { CB_IS_NODE } from './host.js';
import { cbAbsoluteLocation } from './loader.js';

const CB_INDEX_ACCEPT = 'application/vnd.pypi.simple.v1+json, text/html;q=0.5';
const CB_INSTALL_OPTIONS = ['indexURL', 'dependencies', 'user'];

function checkArguments(fn, requirements, options) {
  const list = typeof requirements === 'string' ? [requirements] : requirements;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`Coldbrew.${fn}(): give a requirement or an array of them: wheel URLs (or, in Node, ` +
      "paths) ending in .whl, or package names with options.indexURL, e.g. ['https://example.org/pkg-1.0-py3-none-any.whl']");
  }
  list.forEach((r, i) => {
    cbCheckString(fn, `requirements[${i}]`, r);
    if (!r.trim()) throw new TypeError(`Coldbrew.${fn}(): requirements[${i}] is empty`);
  });
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`Coldbrew.${fn}(): options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!CB_INSTALL_OPTIONS.includes(key)) {
      throw new TypeError(`Coldbrew.${fn}(): unknown option '${key}' (known: ${CB_INSTALL_OPTIONS.join(', ')})`);
    }
  }
  if (options.indexURL !== undefined) cbCheckString(fn, 'options.indexURL', options.indexURL);
  for (const key of ['dependencies', 'user']) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new TypeError(`Coldbrew.${fn}(): option '${key}' must be a boolean`);
    }
  }
  return list;
}

/* The requirements and index with relative locations made absolute (worker
 * mode does this on the calling thread, whose base they are relative to). */
export function cbAbsoluteRequirements(requirements, options) {
  const list = typeof requirements === 'string' ? [requirements] : requirements;
  const out = Array.isArray(list) ? list.map((r) => (typeof r === 'string' && /\.whl([?#].*)?$/i.test(r.trim()) ? cbAbsoluteLocation(r.trim()) : r)) : list;
  const opts = options && typeof options === 'object' && typeof options.indexURL === 'string' && options.indexURL
    ? { ...options, indexURL: cbAbsoluteLocation(options.indexURL) } : options;
  return [out, opts];
}

/* Bytes, or {error, status} for Python to put into its message. */
async function fetchOne(item) {
  if (CB_IS_NODE && !/^https?:/i.test(item.url)) {
    const file = item.url.startsWith('file:') ? require('url').fileURLToPath(item.url) : item.url;
    try {
      return new Uint8Array(await require('fs').promises.readFile(file));
    } catch (e) {
      return { error: `cannot read ${file}: ${e.message}`, status: null };
    }
  }
  try {
    const response = await fetch(item.url, item.index ? { headers: { Accept: CB_INDEX_ACCEPT } } : {});
    if (!response.ok) return { error: `fetching ${item.url} failed: HTTP ${response.status}`, status: response.status };
    return new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    return { error: `fetching ${item.url} failed: ${e.message || e}`, status: null };
  }
}

export async function cbInstallPackages(inst, requirements, options = {}) {
  const fn = 'installPackages';
  checkArguments(fn, requirements, options);
  const [list, opts] = cbAbsoluteRequirements(requirements, options);
  cbRequireLoaded(inst, fn);
  const python = (name, args) => {
    cbRequireLoaded(inst, fn);
    return inst.bridge.callNamed(`__import__('_coldbrew.packages').packages.${name}`, args);
  };
  const session = python('begin', [list, opts.indexURL === undefined ? null : opts.indexURL,
    opts.dependencies !== false, opts.user === true]);
  let next = python('step', [session, null]);
  while (next.fetch) {
    const fetched = {};
    await Promise.all(next.fetch.map(async (item) => { fetched[item.url] = await fetchOne(item); }));
    next = python('step', [session, fetched]);
  }
  return next.installed;
}
