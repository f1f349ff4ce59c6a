/* The file-system helpers of the API (listFiles, addFile, readFile, ...) and
 * zip archives (addFilesFromZip, downloadPathToZip), for one instance.
 *
 * The helpers work on Emscripten's FS directly (MEMFS, no Python involved)
 * and turn its errno errors into Errors with a code and the path; zip goes
 * through Python's zipfile (src/py/_coldbrew/files.py) via the bridge, so
 * names, modes and compression are what Python makes of them.
 */
import { CB_IS_NODE } from './host.js';
import { cbCheckText, cbDecodeText, cbEncodeText } from './text.js';
import { cbCheckString } from './options.js';
import { cbRequireLoaded } from './instance.js';
import { cbMakeFolders } from './vfs.js';
import { cbFetchBytes } from './loader.js';

const CB_ERRNO_NAMES = {
  44: ['ENOENT', 'No such file or directory'], 54: ['ENOTDIR', 'Not a directory'],
  31: ['EISDIR', 'Is a directory'], 20: ['EEXIST', 'File exists'], 55: ['ENOTEMPTY', 'Directory not empty'],
  2: ['EACCES', 'Permission denied'], 63: ['EPERM', 'Operation not permitted'], 10: ['EBUSY', 'Resource busy'],
};

function fsError(fn, e, path) {
  if (e && e.errno !== undefined && e.name === 'ErrnoError') {
    const [code, text] = CB_ERRNO_NAMES[e.errno] || ['EIO', `error ${e.errno}`];
    const err = new Error(`Coldbrew.${fn}(): ${text}: '${path}'`);
    err.code = code;
    err.path = path;
    return err;
  }
  return e;
}

/* body(FS) for an API function named fn working on path. */
function fsCall(inst, fn, path, body) {
  cbCheckString(fn, 'path', path);
  if (path.includes('\0')) throw new TypeError(`Coldbrew.${fn}(): path holds a NUL character`);
  cbRequireLoaded(inst, fn);
  try {
    return body(inst.Module.FS);
  } catch (e) {
    throw fsError(fn, e, path);
  }
}

function pathInfo(FS, path) {
  const lookup = FS.lookupPath(path, { follow: true });
  const st = FS.stat(path);
  const full = FS.getPath(lookup.node);
  return {
    name: full === '/' ? '/' : full.slice(full.lastIndexOf('/') + 1),
    path: full,
    isFile: FS.isFile(st.mode),
    isFolder: FS.isDir(st.mode),
    size: st.size,
    modified: st.mtime instanceof Date ? st.mtime.getTime() : Number(st.mtime),
  };
}

export function cbListFiles(inst, path) {
  return fsCall(inst, 'listFiles', path, (FS) => {
    const base = pathInfo(FS, path).path;
    return FS.readdir(path).filter((n) => n !== '.' && n !== '..').sort()
      .map((n) => pathInfo(FS, base === '/' ? `/${n}` : `${base}/${n}`));
  });
}

export function cbCreateFolder(inst, path) {
  return fsCall(inst, 'createFolder', path, (FS) => { cbMakeFolders(FS, path); return true; });
}

export function cbAddFile(inst, path, data) {
  return fsCall(inst, 'addFile', path, (FS) => {
    let bytes;
    if (typeof data === 'string') bytes = cbEncodeText(cbCheckText('addFile', 'data', data));
    else if (data instanceof Uint8Array) bytes = data;
    else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else throw new TypeError('Coldbrew.addFile(): data must be a string, Uint8Array or ArrayBuffer');
    const slash = path.lastIndexOf('/');
    if (slash > 0) cbMakeFolders(FS, path.slice(0, slash));
    FS.writeFile(path, bytes);
    return true;
  });
}

export function cbPathExists(inst, path) {
  return fsCall(inst, 'pathExists', path, (FS) => {
    try {
      return pathInfo(FS, path);
    } catch (e) {
      if (e && e.name === 'ErrnoError') return null;
      throw e;
    }
  });
}

/* The whole file, NUL included; invalid UTF-8 by the text rule (text.js). */
export function cbReadFile(inst, path) {
  return fsCall(inst, 'readFile', path, (FS) => cbDecodeText(FS.readFile(path, { encoding: 'binary' })));
}

export function cbReadBinaryFile(inst, path) {
  return fsCall(inst, 'readBinaryFile', path, (FS) => FS.readFile(path, { encoding: 'binary' }));
}

export function cbDeletePath(inst, path) {
  return fsCall(inst, 'deletePath', path, (FS) => {
    const remove = (p) => {
      const st = FS.lstat(p);
      if (FS.isDir(st.mode)) {
        for (const n of FS.readdir(p)) if (n !== '.' && n !== '..') remove(`${p.replace(/\/$/, '')}/${n}`);
        FS.rmdir(p);
      } else {
        FS.unlink(p);
      }
    };
    remove(path);
    return true;
  });
}

/* ---- zip archives -------------------------------------------------------- */

function callFilesHelper(inst, fn, name, args) {
  cbRequireLoaded(inst, fn);
  return inst.bridge.callNamed(`__import__('_coldbrew.files').files.${name}`, args);
}

/* Fetches a zip (URL; in Node also a file path) and extracts it into path.
 * Resolves to the number of entries. */
export async function cbAddFilesFromZip(inst, path, url) {
  cbCheckString('addFilesFromZip', 'path', path);
  cbCheckString('addFilesFromZip', 'url', url);
  cbRequireLoaded(inst, 'addFilesFromZip');
  const bytes = await cbFetchBytes('addFilesFromZip', url, null);
  cbRequireLoaded(inst, 'addFilesFromZip');
  return cbUnzipBytes(inst, 'addFilesFromZip', bytes, path);
}

/* Extracts a zip's bytes into folder `path`; the number of files (also for
 * load(): a custom build's bundled files, CB_FILES_ZIP). */
export function cbUnzipBytes(inst, fn, bytes, path) {
  const FS = inst.Module.FS;
  const tmp = `/tmp/.coldbrew-zip-${++inst.zipSerial}.zip`;
  FS.writeFile(tmp, bytes);
  try {
    return callFilesHelper(inst, fn, 'unzip', [tmp, path]);
  } finally {
    try { FS.unlink(tmp); } catch (e) { /* already gone */ }
  }
}

/* Zips a file or folder. Browsers download it as `name` and get the zip's
 * bytes back; Node writes `name` (relative to the current directory) and
 * gets a Promise of the bytes that settles once the file is written, as the
 * original Coldbrew's Node build did. */
export function cbDownloadPathToZip(inst, path, name) {
  if (!CB_IS_NODE) return zipAndOffer(inst, path, name);
  let bytes;
  try {
    bytes = zipAndOffer(inst, path, name);
  } catch (e) {
    return Promise.reject(e);
  }
  return require('fs').promises.writeFile(name, bytes).then(() => bytes);
}

function zipAndOffer(inst, path, name) {
  cbCheckString('downloadPathToZip', 'path', path);
  cbCheckString('downloadPathToZip', 'name', name);
  cbRequireLoaded(inst, 'downloadPathToZip');
  if (!cbPathExists(inst, path)) {
    const err = new Error(`Coldbrew.downloadPathToZip(): No such file or directory: '${path}'`);
    err.code = 'ENOENT';
    throw err;
  }
  const FS = inst.Module.FS;
  const tmp = `/tmp/.coldbrew-zip-${++inst.zipSerial}.zip`;
  let bytes;
  try {
    callFilesHelper(inst, 'downloadPathToZip', 'zip_path', [path, tmp]);
    bytes = FS.readFile(tmp, { encoding: 'binary' });
  } finally {
    try { FS.unlink(tmp); } catch (e) { /* never written */ }
  }
  if (!CB_IS_NODE) cbOfferDownload(bytes, name);
  return bytes;
}

/* A browser page downloads the bytes as a file called name (nothing in a worker). */
export function cbOfferDownload(bytes, name) {
  if (typeof document !== 'object') return;
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/zip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
