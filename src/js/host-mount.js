/* Host folders in the virtual file system, Node only:
 * Coldbrew.mountHostDirectory(hostPath, vfsPath, {readOnly}) — for one instance.
 *
 * Off unless asked: Python sees only Coldbrew's own in-memory files until a
 * caller mounts a host folder (the CLI mounts the script's folder and the
 * working directory, as python3 sees them). A mount is a small Emscripten file
 * system type (the node_ops / stream_ops Emscripten's FS calls) whose every
 * host call works on a path built from the mount's root and the names of the
 * virtual nodes, so containment rests on three rules:
 *   - '..' and symbolic links are resolved by the virtual FS, never by the
 *     host: a link inside the mount that points to '/etc/passwd' names the
 *     *virtual* /etc/passwd, and '..' at the mount's root leaves the mount;
 *   - before a host file is opened, its real path (the host resolving any link
 *     swapped in meanwhile) must lie under the real path of the mount's root,
 *     else EACCES; files are opened with O_NOFOLLOW;
 *   - Python cannot make host symbolic links (EPERM), nor set-uid/gid or
 *     sticky bits (chmod keeps the 0o777 bits); a read-only mount refuses
 *     every change with EROFS.
 * Why not Emscripten's NODEFS: it would need a relink, it passes modes and
 * links through to the host unchanged, and it has no read-only mode.
 */
import { CB_IS_NODE } from './host.js';
import { cbCheckString } from './options.js';
import { cbRequireLoaded } from './instance.js';
import { cbPersistedRoots } from './persistence.js';
import { cbResolvePath } from './vfs.js';
import { CB_STDLIB_PATH } from 'coldbrew-protocol';

// Emscripten's (WASI's) errno numbers for the host's error codes.
const CB_ERRNO = {
  EPERM: 63, ENOENT: 44, EIO: 29, EBADF: 8, EACCES: 2, EBUSY: 10, EEXIST: 20, EXDEV: 75, ENOTDIR: 54, EISDIR: 31,
  EINVAL: 28, EMFILE: 33, ENFILE: 41, ENOSPC: 51, EROFS: 69, ENAMETOOLONG: 37, ENOTEMPTY: 55, ELOOP: 32, EFBIG: 22,
};
const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000;
const SEEK_CUR = 1, SEEK_END = 2;

/* The file system type for one instance's FS (one per load: a reload has a new FS). */
const cbHostTypes = new WeakMap();
function hostFileSystem(FS) {
  if (!cbHostTypes.has(FS)) cbHostTypes.set(FS, makeHostFileSystem(FS));
  return cbHostTypes.get(FS);
}

function makeHostFileSystem(FS) {
  const fs = require('fs');
  const path = require('path');
  const fail = (errno) => { throw new FS.ErrnoError(errno); };
  const host = (f) => {
    try {
      return f();
    } catch (e) {
      if (e instanceof FS.ErrnoError || !e || typeof e.code !== 'string') throw e;
      return fail(CB_ERRNO[e.code] ?? CB_ERRNO.EIO);
    }
  };
  const opts = (node) => node.mount.opts;
  const hostPath = (node) => {
    const names = [];
    for (; node.parent !== node; node = node.parent) names.push(node.name);
    return path.join(opts(node).root, ...names.reverse());
  };
  const writable = (node) => { if (opts(node).readOnly) fail(CB_ERRNO.EROFS); };
  const contained = (node, p) => {
    const real = host(() => fs.realpathSync(p));
    const root = opts(node).realRoot;
    if (real !== root && !real.startsWith(root + path.sep)) fail(CB_ERRNO.EACCES);
  };
  const kindOf = (mode) => {
    const kind = mode & S_IFMT;
    if (kind !== S_IFDIR && kind !== S_IFREG && kind !== S_IFLNK) fail(CB_ERRNO.EACCES);   // devices, sockets, fifos
    return mode;
  };
  const newNode = (parent, name, mode) => {
    const node = FS.createNode(parent, name, kindOf(mode), 0);
    node.node_ops = nodeOps;
    node.stream_ops = streamOps;
    return node;
  };

  const nodeOps = {
    getattr(node) {
      const st = host(() => fs.lstatSync(hostPath(node)));
      return { dev: st.dev, ino: st.ino, mode: st.mode, nlink: st.nlink, uid: 0, gid: 0, rdev: 0, size: st.size,
        atime: st.atime, mtime: st.mtime, ctime: st.ctime, blksize: st.blksize, blocks: st.blocks };
    },
    setattr(node, attr) {
      writable(node);
      const p = hostPath(node);
      if (attr.mode !== undefined) {
        host(() => fs.chmodSync(p, attr.mode & 0o777));
        node.mode = (node.mode & S_IFMT) | (attr.mode & 0o777);
      }
      if (attr.timestamp !== undefined) host(() => fs.utimesSync(p, new Date(attr.timestamp), new Date(attr.timestamp)));
      if (attr.size !== undefined) {
        contained(node, p);
        host(() => fs.truncateSync(p, attr.size));
      }
    },
    lookup(parent, name) {
      const st = host(() => fs.lstatSync(path.join(hostPath(parent), name)));
      return newNode(parent, name, st.mode);
    },
    mknod(parent, name, mode) {
      writable(parent);
      const kind = mode & S_IFMT;
      if (kind !== S_IFDIR && kind !== S_IFREG) fail(CB_ERRNO.EPERM);
      const p = path.join(hostPath(parent), name);
      contained(parent, hostPath(parent));
      host(() => (kind === S_IFDIR ? fs.mkdirSync(p, mode & 0o777) : fs.writeFileSync(p, '', { mode: mode & 0o777, flag: 'wx' })));
      return newNode(parent, name, mode);
    },
    rename(oldNode, newDir, newName) {
      writable(oldNode);
      const from = hostPath(oldNode);
      const to = path.join(hostPath(newDir), newName);
      contained(newDir, hostPath(newDir));
      host(() => fs.renameSync(from, to));
      oldNode.name = newName;
    },
    unlink(parent, name) {
      writable(parent);
      host(() => fs.unlinkSync(path.join(hostPath(parent), name)));
    },
    rmdir(parent, name) {
      writable(parent);
      host(() => fs.rmdirSync(path.join(hostPath(parent), name)));
    },
    readdir(node) {
      return host(() => fs.readdirSync(hostPath(node)));
    },
    symlink(parent) {
      writable(parent);
      fail(CB_ERRNO.EPERM);   // a host link could point anywhere for the host's other programs
    },
    readlink(node) {
      return host(() => fs.readlinkSync(hostPath(node)));
    },
  };

  const streamOps = {
    open(stream) {
      if (!FS.isFile(stream.node.mode)) return;
      const access = stream.flags & 3;
      if (access !== 0) writable(stream.node);
      const p = hostPath(stream.node);
      contained(stream.node, p);
      const flags = (access === 0 ? fs.constants.O_RDONLY : access === 1 ? fs.constants.O_WRONLY : fs.constants.O_RDWR) |
        fs.constants.O_NOFOLLOW;
      stream.shared.refcount = 1;
      stream.nfd = host(() => fs.openSync(p, flags));
    },
    close(stream) {
      if (FS.isFile(stream.node.mode) && stream.nfd !== undefined && --stream.shared.refcount === 0) {
        host(() => fs.closeSync(stream.nfd));
      }
    },
    dup(stream) {
      stream.shared.refcount++;
    },
    read(stream, buffer, offset, length, position) {
      if (length === 0) return 0;
      return host(() => fs.readSync(stream.nfd, buffer, offset, length, position));
    },
    write(stream, buffer, offset, length, position) {
      writable(stream.node);
      return host(() => fs.writeSync(stream.nfd, buffer, offset, length, position));
    },
    llseek(stream, offset, whence) {
      let position = offset;
      if (whence === SEEK_CUR) position += stream.position;
      else if (whence === SEEK_END && FS.isFile(stream.node.mode)) position += host(() => fs.fstatSync(stream.nfd).size);
      if (position < 0) fail(CB_ERRNO.EINVAL);
      return position;
    },
  };

  return {
    mount(mount) {
      const root = FS.createNode(null, '/', kindOf(host(() => fs.lstatSync(mount.opts.root)).mode), 0);
      root.node_ops = nodeOps;
      root.stream_ops = streamOps;
      return root;
    },
  };
}

/* Coldbrew.mountHostDirectory(hostPath, vfsPath, {readOnly = false}): the
 * host folder appears at vfsPath (made if missing). Returns vfsPath, resolved. */
export function cbMountHostDirectory(inst, hostPath, vfsPath, options = {}) {
  const fn = 'mountHostDirectory';
  cbCheckString(fn, 'hostPath', hostPath);
  cbCheckString(fn, 'vfsPath', vfsPath);
  if (options === null || typeof options !== 'object') throw new TypeError(`Coldbrew.${fn}(): options must be an object`);
  for (const k of Object.keys(options)) {
    if (k !== 'readOnly') throw new TypeError(`Coldbrew.${fn}(): unknown option '${k}' (known: readOnly)`);
  }
  if (options.readOnly !== undefined && typeof options.readOnly !== 'boolean') {
    throw new TypeError(`Coldbrew.${fn}(): options.readOnly must be a boolean`);
  }
  cbRequireLoaded(inst, fn);
  if (!CB_IS_NODE) throw new Error(`Coldbrew.${fn}(): only in Node (a browser page has no host folders to mount)`);
  const fs = require('fs');
  const path = require('path');
  let realRoot;
  try {
    realRoot = fs.realpathSync(path.resolve(hostPath));
  } catch (e) {
    throw Object.assign(new Error(`Coldbrew.${fn}(): no such host folder: '${hostPath}'`), { code: e.code });
  }
  if (!fs.statSync(realRoot).isDirectory()) throw Object.assign(new Error(`Coldbrew.${fn}(): not a folder: '${hostPath}'`), { code: 'ENOTDIR' });
  const FS = inst.Module.FS;
  const where = cbResolvePath(FS, vfsPath);
  if (where === '/' || CB_STDLIB_PATH.startsWith(`${where}/`) || /^\/(dev|proc)(\/|$)/.test(where)) {
    throw new Error(`Coldbrew.${fn}(): cannot mount over '${where}': Coldbrew's own files are there`);
  }
  for (const root of cbPersistedRoots(inst)) {
    if (where === root || where.startsWith(`${root}/`)) {
      throw new Error(`Coldbrew.${fn}(): ${root} is persisted (fsOptions); mount host folders elsewhere, e.g. /mnt/...`);
    }
  }
  try {
    FS.mkdirTree(where);
    FS.mount(hostFileSystem(FS), { root: realRoot, realRoot, readOnly: !!options.readOnly }, where);
  } catch (e) {
    if (e && e.name === 'ErrnoError') {
      const why = { [CB_ERRNO.EBUSY]: 'it is already a mount point', [CB_ERRNO.ENOTDIR]: 'a file is in the way',
        [CB_ERRNO.EROFS]: 'it is inside a read-only mount' }[e.errno] || `errno ${e.errno}`;
      throw new Error(`Coldbrew.${fn}(): cannot mount at '${where}': ${why}`);
    }
    throw e;
  }
  return where;
}
