// TypeScript declarations for Coldbrew (the npm package coldbrew-python).
// CommonJS view (require('coldbrew-python')); coldbrew.d.mts re-exports it for
// ES modules. Written by hand against src/js/api.js; tests/package checks them
// with `tsc --strict` on an example that calls every function, and that
// every member the loaded object has is declared here.

// The namespace holds types only (so that it merges with the value below):
// the classes are a value's members, e.g. Coldbrew.PythonError.
declare namespace Coldbrew {
  /** Where load() finds coldbrew.wasm, coldbrew-stdlib.zip and (worker mode) coldbrew.js. */
  type LocateFile = (name: 'coldbrew.wasm' | 'coldbrew-stdlib.zip' | 'coldbrew.js' | string, base: string | null) => string | URL;

  interface LoadOptions {
    /** Silence Coldbrew's warnings (e.g. that time.sleep blocks JavaScript). */
    hideWarnings?: boolean;
    /** Called as the wasm and the standard library download. */
    onProgress?: (progress: { loaded: number; total: number }) => void;
    /** Keep /home (and /tmp) between sessions: Node, a folder (fsOptions.storage); browsers, IndexedDB. */
    fsOptions?: { persistHome?: boolean; persistTmp?: boolean; storage?: string };
    /** Run Python in a Web Worker / worker thread: every method then returns a Promise (see WorkerMode). */
    worker?: boolean;
    /** How often (ms of Python work) async runs yield to the event loop; null or Infinity: never. */
    asyncYieldRate?: number | null;
    /** Python's snake_case names seen as camelCase from JavaScript and back (default true). */
    transformVariableCasing?: boolean;
    /** The URL or folder holding the asset files (default: next to the script, or where a bundler put them). */
    indexURL?: string;
    /** A function naming each asset file's URL or path; wins over indexURL. */
    locateFile?: LocateFile;
    /** python3's interpreter options, parsed by CPython at start-up: e.g. ['-O', '-B', '-W', 'error', '-X', 'dev']. */
    pythonFlags?: string[];
    /** Record which standard library files the program reads, for Coldbrew.getUsedFiles(). */
    monitorFileUsage?: boolean;
    /** Python threads: start the threaded runtime with a pool of this many workers (1-256), each running one
     * Python thread at a time. Needs SharedArrayBuffer (a cross-origin isolated page); without it Coldbrew loads
     * without threads and Thread.start() raises a RuntimeError saying why. Omitted: no threads. */
    threadWorkers?: number;
  }

  /** What a Python exception carries into JavaScript (also Coldbrew.getExceptionInfo()). */
  interface ErrorData {
    /** The exception's class name, e.g. 'ValueError' (exctype: the same, as the original Coldbrew named it). */
    type: string;
    exctype: string;
    /** str(exception) (value: the same). */
    message: string;
    value: string;
    filename: string | null;
    line: number | null;
    tb_lineno: number | null;
    /** The formatted traceback, as Python prints it. */
    traceback: string;
    /** For SystemExit: the exit status. */
    exitCode?: number;
    /** For a JavaScriptError raised in Python: what the JS error was. */
    error_data?: { type: string; name: string; message: string; stack: string; data: unknown };
  }

  /** A Python exception, thrown by every call that ran Python which raised. */
  interface PythonError extends Error {
    readonly name: 'PythonError';
    readonly errorData: ErrorData;
  }
  interface PythonErrorConstructor {
    new (errorData: ErrorData): PythonError;
    readonly prototype: PythonError;
  }

  /** Keyword arguments for runFunction and for calls of Python functions. */
  interface PythonKeywords {
    readonly keywords: Record<string, unknown>;
  }
  /** Called with or without new: Coldbrew.PythonKeywords({sep: '-'}). */
  interface PythonKeywordsConstructor {
    new (keywords: Record<string, unknown>): PythonKeywords;
    (keywords: Record<string, unknown>): PythonKeywords;
  }

  /**
   * A Python object seen from JavaScript (a bridge variable): attributes read
   * and written as properties, calls as calls (`new` for classes), items through
   * get/set methods when the object has them. Plain data (None, bool, int,
   * float, str, bytes, list, tuple, dict) comes across as JS values instead.
   */
  interface PythonVariable {
    readonly __type__: string;
    readonly __uid__: number;
    readonly __destroyed__: boolean;
    /** The object's attribute names. */
    __inspect__(): string[];
    /** Releases the Python object now (otherwise the garbage collector does). */
    __destroy__(): void;
    toString(): string;
    toJSON(): unknown;
    (...args: unknown[]): any;
    new (...args: unknown[]): any;
    [name: string]: any;
  }

  interface PythonVariableStatic {
    /** Is v a Python object seen from JS? For an async variable: a Promise of the answer. */
    isPythonVariable(v: unknown): boolean | Promise<boolean>;
  }

  /** A chainable Promise of a Python object's value (getVariableAsync, runFunctionAsync). */
  type AsyncVariable = Promise<any> & { [name: string]: any };

  interface InstallOptions {
    /** A PEP 503 / PEP 691 simple index, for requirements given by name and for dependencies. */
    indexURL?: string;
    /** Install what the wheels require too (default true). */
    dependencies?: boolean;
    /** Install under /home (kept by saveFiles() with persistHome) instead of the runtime's site-packages. */
    user?: boolean;
  }

  interface InstalledPackage {
    name: string;
    version: string;
  }

  interface FileInfo {
    name: string;
    path: string;
    isFile: boolean;
    isFolder: boolean;
    size: number;
    /** Last modification, ms since the epoch. */
    modified: number;
  }

  interface RunFileOptions {
    /** The working directory during the run (restored after). */
    cwd?: string;
    /** Environment variables for this run only. */
    env?: Record<string, string>;
    /** sys.argv[1:] */
    args?: Array<string | number>;
  }

  /** Worker mode: a time limit for one run (ms). */
  interface TimeLimit {
    timeout?: number;
    grace?: number;
  }

  /** The members the object has before load() and after unload(). */
  interface Unloaded {
    readonly version: string;
    readonly pyversion: string;
    PythonError: PythonErrorConstructor;
    PythonKeywords: PythonKeywordsConstructor;
    PythonVariable: PythonVariableStatic;
    /** Each line Python writes to stdout (partial: a prompt without a newline). */
    onStandardOut: (line: string, partial?: boolean) => void;
    onStandardErr: (line: string, partial?: boolean) => void;
    /** Asked for more input when standardInBuffer is used up: a string, or null for end of input. */
    onStandardInRead: ((size: number) => string | Uint8Array | null) | null;
    /** Async runs: a Promise of more input. */
    onStandardInReadAsync: ((size: number) => Promise<string | Uint8Array | null>) | null;
    /** Text input() reads first. */
    standardInBuffer: string;
    load(options?: LoadOptions): Promise<void>;
    unload(): void;
    createNewInstance(): Instance;
  }

  /** The members load() adds (on one thread: they answer at once). */
  interface Loaded {
    run(source: string, options?: TimeLimit): number;
    runFile(path: string, options?: RunFileOptions & TimeLimit): number;
    runAsync(source: string, options?: TimeLimit): Promise<number>;
    runFileAsync(path: string, options?: RunFileOptions & TimeLimit): Promise<number>;
    getVariable(expression: string): any;
    getVariableAsync(expression: string): AsyncVariable;
    runFunction(name: string, ...args: unknown[]): any;
    runFunctionAsync(name: string, ...args: unknown[]): AsyncVariable;
    /** Raises KeyboardInterrupt in the running program; false when nothing runs. */
    interrupt(): boolean;
    setAsyncYieldRate(rate: number | null): void;
    getAsyncYieldRate(): number | null;
    destroyAllVariables(): void;
    liveVariableCounts(): { python: number; javascript: number };
    getExceptionInfo(): ErrorData | null;
    /** With load({monitorFileUsage: true}): the standard library files read so far, one a line (a keeplist.txt). */
    getUsedFiles(): string;
    /** The built-in C modules never imported (for UNUSED_BUILTIN_MODULES). */
    getUnusedModules(): string[];
    /** Installs pure-Python wheels (URLs, Node paths, or names looked up in options.indexURL) and their dependencies. */
    installPackages(requirements: string | string[], options?: InstallOptions): Promise<InstalledPackage[]>;

    getcwd(): string;
    chdir(path: string): void;
    getenv(): Record<string, string>;
    setenv(key: string, value: string): void;
    unsetenv(key: string): void;
    resetenv(): void;
    /** Clears Python's globals, the environment and the working directory; files stay. */
    reset(): number;

    listFiles(path?: string): FileInfo[];
    createFolder(path: string): boolean;
    addFile(path: string, data: string | Uint8Array | ArrayBuffer): boolean;
    pathExists(path: string): FileInfo | null;
    readFile(path: string): string;
    readBinaryFile(path: string): Uint8Array;
    deletePath(path: string): boolean;
    /** Extracts a zip (URL; in Node also a path) into path: the number of files. */
    addFilesFromZip(path: string, url: string): Promise<number>;
    /** Zips path: browsers download it as name; Node writes it to the path name. The zip's bytes. */
    downloadPathToZip(path: string, name?: string): Uint8Array | Promise<Uint8Array>;
    /** Node: a host folder appears at vfsPath (off unless called; nothing outside it is reachable). The virtual path. */
    mountHostDirectory(hostPath: string, vfsPath: string, options?: { readOnly?: boolean }): string;
    saveFiles(options?: { overwrite?: boolean }): Promise<boolean | number>;
    loadFiles(): Promise<boolean | number>;
  }

  /** A Coldbrew object (loaded: everything; before load(): Unloaded's members only). */
  type Instance = Unloaded & Loaded;

  /** The same object after load({worker: true}): every method answers with a Promise. */
  type WorkerMode = Unloaded & {
    [K in keyof Loaded]: Loaded[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : Loaded[K];
  };
}

declare const Coldbrew: Coldbrew.Instance & { default: Coldbrew.Instance };
export = Coldbrew;
