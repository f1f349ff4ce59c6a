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
 *   - A trailing slash says "a folder": Emscripten dropped it, so
 *     os.remove("file/") deleted the file and open("new/", "w") created one.
 *     Lookups now follow a final symlink and want a folder (ENOTDIR), and
 *     unlink, rename, symlink, mknod and open(O_CREAT) give the errors Linux
 *     gives for such a path, before anything changes. Removing or renaming
 *     "a/." or "a/.." is refused with Linux's errors too.
 *   - open: the lookup's own error (Emscripten said ENOENT for all), and
 *     O_CREAT through a symlink to a missing file creates that file, as Linux
 *     does (Emscripten tried to create the link's name: EEXIST).
 *   - cbMakeFolders (for addFile/createFolder): creates missing folders while
 *     walking down once, instead of one full lookup per level.
 */

const CB_MAX_TIME_MS = 8.64e15;
const CB_EBUSY = 10;
const CB_EEXIST = 20;
const CB_EINVAL = 28;
const CB_EISDIR = 31;
const CB_ELOOP = 32;
const CB_ENOENT = 44;
const CB_ENOTDIR = 54;
const CB_ENOTEMPTY = 55;
const CB_O_CREAT = 64;
const CB_O_NOFOLLOW = 131072;
const CB_O_EXCL = 128;
const CB_MAX_LINKS = 40;   // Linux's limit on the symlinks one lookup follows
const CB_S_IFMT = 0o170000;
const CB_S_IFDIR = 0o040000;

/* "d/" (but not "/"): the path names a folder. */
const endsInSlash = (path) => path.length > 1 && path.charCodeAt(path.length - 1) === 47;
const withoutSlash = (path) => path.replace(/\/+$/, '') || '/';
const lastName = (path) => {
  const parts = path.split('/').filter((p) => !!p);
  return parts.length ? parts[parts.length - 1] : '';
};

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
    const folderWanted = !opts.parent && endsInSlash(full);
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
          // currentPath has no links left to follow: no deeper nesting.
          current = FS.lookupPath(currentPath, { recurse_count: recurse }).node;
        }
        continue;
      }
      current = FS.lookupNode(current, part);
      currentPath = currentPath === '/' ? `/${part}` : `${currentPath}/${part}`;
      if (FS.isMountpoint(current) && (!last || followMount)) current = current.mounted.root;
      if (!last || opts.follow || folderWanted) {
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
    if (folderWanted && !FS.isDir(current.mode)) throw new FS.ErrnoError(CB_ENOTDIR);
    return { path: currentPath, node: current };
  };

  guardFolderNames(FS);
}

/* What Linux answers for a trailing slash, or a last name of "." or "..", in
 * the calls that create or remove a name. Each check runs before the call,
 * which then runs unchanged. */
function guardFolderNames(FS) {
  const { open, unlink, rmdir, rename, symlink, mknod } = FS;
  const dotName = (path) => {
    const name = lastName(path);
    return name === '.' || name === '..' ? name : null;
  };
  /* The entry itself, a final symlink not followed: ENOENT if missing. */
  const entry = (path) => FS.lookupPath(withoutSlash(path)).node;
  /* Making "name/": ENOENT if there is no such entry, else EEXIST. */
  const refuseNewFolderName = (path) => {
    entry(path);
    throw new FS.ErrnoError(CB_EEXIST);
  };

  FS.open = function open_(path, flags, mode) {
    if (typeof path === 'string' && typeof flags === 'number' && (flags & CB_O_CREAT) && endsInSlash(path)) {
      throw new FS.ErrnoError(CB_EISDIR);
    }
    return openThroughDanglingLinks(path, flags, mode, 0);
  };
  function openThroughDanglingLinks(path, flags, mode, depth) {
    try {
      return open.call(FS, path, flags, mode);
    } catch (e) {
      if (typeof path !== 'string' || !(e && e.name === 'ErrnoError')) throw e;
      const follow = typeof flags !== 'number' || !(flags & CB_O_NOFOLLOW);
      /* Emscripten's open drops the lookup's error and says ENOENT: give the
         real one (ENOTDIR for "file/" or "file/x", ELOOP, EACCES). */
      if (e.errno === CB_ENOENT) FS.lookupPath(path, { follow });
      /* O_CREAT through a symlink to a missing file creates that file, as on
         Linux; Emscripten tried to create the link's own name (EEXIST). */
      if (e.errno === CB_EEXIST && follow && typeof flags === 'number' && (flags & CB_O_CREAT) && !(flags & CB_O_EXCL)) {
        const link = FS.lookupPath(path);
        if (!FS.isLink(link.node.mode)) throw e;
        try {
          FS.lookupPath(path, { follow: true });
        } catch (missing) {
          if (!(missing && missing.name === 'ErrnoError' && missing.errno === CB_ENOENT)) throw missing;   // ELOOP, ENOTDIR
          if (depth >= CB_MAX_LINKS) throw new FS.ErrnoError(CB_ELOOP);
          const target = FS.readlink(link.path);
          const folder = link.path.slice(0, link.path.lastIndexOf('/')) || '/';
          return openThroughDanglingLinks(target.charCodeAt(0) === 47 ? target : `${folder}/${target}`, flags, mode, depth + 1);
        }
      }
      throw e;
    }
  }
  FS.unlink = function unlink_(path) {
    if (dotName(path)) {
      FS.lookupPath(path);
      throw new FS.ErrnoError(CB_EISDIR);
    }
    if (endsInSlash(path)) throw new FS.ErrnoError(FS.isDir(entry(path).mode) ? CB_EISDIR : CB_ENOTDIR);
    return unlink.call(FS, path);
  };
  FS.rmdir = function rmdir_(path) {
    const dot = dotName(path);
    if (dot) {
      FS.lookupPath(path);
      throw new FS.ErrnoError(dot === '.' ? CB_EINVAL : CB_ENOTEMPTY);
    }
    return rmdir.call(FS, path);
  };
  FS.rename = function rename_(oldPath, newPath) {
    for (const path of [oldPath, newPath]) {
      if (dotName(path)) {
        FS.lookupPath(path, { parent: true });
        throw new FS.ErrnoError(CB_EBUSY);
      }
    }
    if ((endsInSlash(oldPath) || endsInSlash(newPath)) && !FS.isDir(entry(oldPath).mode)) {
      throw new FS.ErrnoError(CB_ENOTDIR);
    }
    return rename.call(FS, oldPath, newPath);
  };
  FS.symlink = function symlink_(target, linkPath) {
    if (endsInSlash(linkPath)) refuseNewFolderName(linkPath);
    return symlink.call(FS, target, linkPath);
  };
  FS.mknod = function mknod_(path, mode, dev) {
    if ((mode & CB_S_IFMT) !== CB_S_IFDIR && endsInSlash(path)) refuseNewFolderName(path);
    return mknod.call(FS, path, mode, dev);
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
