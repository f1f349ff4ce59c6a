/* Coldbrew's guards on Emscripten's virtual file system (MEMFS).
 *
 * An ES module of the API; applied to each instance's FS before Python starts
 * (load()'s preRun). Each guard replaces one FS method with the same
 * behaviour minus a defect found by feeding it hostile input. What can only
 * be fixed inside MEMFS's nodes or the syscalls (file times, fstat, readlink)
 * is a patch to Emscripten's own files instead: build/emscripten-patches.
 *   - File times: MEMFS keeps times as JS Dates (±8.64e15 ms). Python may set
 *     any time (os.utime(p, (1e13, 1e13))); beyond the range a later stat()
 *     turned NaN into a BigInt and trapped. Times are clamped, as a host file
 *     system clamps to what it can store.
 *   - Path lookup: Emscripten's lookupPath re-normalised the whole path after
 *     each component (PATH.join2), so one lookup cost O(depth²) and walking
 *     a deep tree O(depth³) (shutil.rmtree at depth 400: 4.4 s). The same walk
 *     here builds the path by appending: O(depth). It also walks '..' as a
 *     kernel does, from where the walk has got to (after symlinks, through
 *     folders that must exist), where Emscripten collapsed it by its letters
 *     first: "/tmp/missing/../f" opened "/tmp/f", "link/.." was the folder
 *     holding the link. The callers that collapsed it before the lookup (open,
 *     the *at syscalls, mkdir) are patched not to (build/emscripten-patches/0003).
 *   - cbMakeFolders (for addFile/createFolder): creates missing folders while
 *     walking down once, instead of one full lookup per level.
 */

const CB_MAX_TIME_MS = 8.64e15;
const CB_ELOOP = 32;
const CB_ENOTDIR = 54;

/* An absolute path with '.', '..' and repeated slashes resolved (as PATH_FS.resolve). */
export function cbResolvePath(FS, path) {
  const full = path.charCodeAt(0) === 47 ? path : `${FS.cwd()}/${path}`;
  const out = [];
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

export function cbGuardFileSystem(FS) {
  const utime = FS.utime;
  const clamp = (t) => {
    const n = Number(t);
    if (Number.isNaN(n)) return Date.now();
    return Math.max(-CB_MAX_TIME_MS, Math.min(CB_MAX_TIME_MS, n));
  };
  FS.utime = (path, atime, mtime) => utime.call(FS, path, clamp(atime), clamp(mtime));

  /* Emscripten 3.1.69's FS.lookupPath, with the path of the walk appended to
   * instead of re-normalised at every step. */
  FS.lookupPath = function lookupPath(path, opts = {}) {
    const full = path.charCodeAt(0) === 47 ? path : `${FS.cwd()}/${path}`;
    const followMount = opts.follow_mount !== undefined ? opts.follow_mount : true;
    const recurse = opts.recurse_count || 0;
    if (recurse > 8) throw new FS.ErrnoError(CB_ELOOP);
    const parts = full.split('/').filter((p) => !!p);
    let current = FS.root;
    let currentPath = '/';   // where the walk is, symlinks resolved: '..' is its folder
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      if (last && opts.parent) break;
      const part = parts[i];
      if (part === '.' || part === '..') {
        if (!FS.isDir(current.mode)) throw new FS.ErrnoError(CB_ENOTDIR);
        if (part === '..' && currentPath !== '/') {
          currentPath = currentPath.slice(0, currentPath.lastIndexOf('/')) || '/';
          current = FS.lookupPath(currentPath, { recurse_count: recurse + 1 }).node;
        }
        continue;
      }
      current = FS.lookupNode(current, part);
      currentPath = currentPath === '/' ? `/${part}` : `${currentPath}/${part}`;
      if (FS.isMountpoint(current) && (!last || followMount)) current = current.mounted.root;
      if (!last || opts.follow) {
        let count = 0;
        while (FS.isLink(current.mode)) {
          const link = FS.readlink(currentPath);
          const dir = currentPath.slice(0, currentPath.lastIndexOf('/')) || '/';
          const target = FS.lookupPath(link.charCodeAt(0) === 47 ? link : `${dir}/${link}`, { recurse_count: recurse + 1 });
          currentPath = target.path;
          current = target.node;
          if (count++ > 40) throw new FS.ErrnoError(CB_ELOOP);
        }
      }
    }
    return { path: currentPath, node: current };
  };
}

/* mkdir -p in one walk down: O(depth), where FS.mkdirTree looked every
 * level up from the root again. */
export function cbMakeFolders(FS, path) {
  const parts = cbResolvePath(FS, path).split('/').filter((p) => !!p);
  let node = FS.root;
  let at = '';
  for (const part of parts) {
    at += `/${part}`;
    let child = null;
    try {
      child = FS.lookupNode(node, part);
    } catch (e) {
      if (!(e && e.name === 'ErrnoError' && e.errno === 44)) throw e;   // not ENOENT
    }
    if (child === null) {
      const err = FS.mayCreate(node, part);
      if (err) throw new FS.ErrnoError(err);
      if (!node.node_ops.mknod) throw new FS.ErrnoError(63);
      child = node.node_ops.mknod(node, part, 0o40777, 0);
    } else if (FS.isMountpoint(child)) {
      child = child.mounted.root;
    } else if (FS.isLink(child.mode)) {
      child = FS.lookupPath(at, { follow: true }).node;
    }
    if (!FS.isDir(child.mode)) throw new FS.ErrnoError(54);   // ENOTDIR
    node = child;
  }
  return node;
}
