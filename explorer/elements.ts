/**
 * Every element of index.html the page's code uses, looked up once by id and
 * checked for its type here, so no other module casts: a renamed id or a
 * changed tag fails at load with one line naming it.
 */

function byId<T extends HTMLElement>(id: string, type: { prototype: T; new (): T }): T {
  const e = document.getElementById(id);
  if (!(e instanceof type)) throw new Error(`explorer page: #${id} is ${e === null ? 'missing' : `a <${e.tagName.toLowerCase()}>, not a ${type.name}`}`);
  return e;
}

/** A table's only body (index.html gives each table one). */
function bodyOf(id: string): HTMLTableSectionElement {
  const body = byId(id, HTMLTableElement).tBodies[0];
  if (body === undefined) throw new Error(`explorer page: table #${id} has no <tbody>`);
  return body;
}

function lookUp() {
  return {
    // setup
    examples: byId('examples', HTMLDivElement),
    drop: byId('drop', HTMLLabelElement),
    wasmFile: byId('wasm-file', HTMLInputElement),
    program: byId('program', HTMLDivElement),
    args: byId('args', HTMLInputElement),
    env: byId('env', HTMLTextAreaElement),
    stdin: byId('stdin', HTMLTextAreaElement),
    newPath: byId('new-path', HTMLInputElement),
    newContent: byId('new-content', HTMLTextAreaElement),
    addFile: byId('add-file', HTMLButtonElement),
    upload: byId('upload', HTMLInputElement),
    setupFiles: byId('setup-files', HTMLUListElement),
    run: byId('run', HTMLButtonElement),
    stop: byId('stop', HTMLButtonElement),
    traceFile: byId('trace-file', HTMLInputElement),
    exportTrace: byId('export', HTMLButtonElement),
    status: byId('status', HTMLDivElement),
    // terminal
    terminal: byId('terminal', HTMLPreElement),
    stdinLine: byId('stdin-line', HTMLInputElement),
    stdinSend: byId('stdin-send', HTMLButtonElement),
    stdinEof: byId('stdin-eof', HTMLButtonElement),
    // call detail
    detail: byId('detail', HTMLDivElement),
    // calls
    callCount: byId('call-count', HTMLSpanElement),
    groupFilter: byId('group-filter', HTMLSelectElement),
    fnFilter: byId('fn-filter', HTMLInputElement),
    errorsOnly: byId('errors-only', HTMLInputElement),
    callRows: bodyOf('calls'),
    callsNote: byId('calls-note', HTMLDivElement),
    // timeline
    timeline: byId('timeline', HTMLCanvasElement),
    // fd table and files
    stateAt: byId('state-at', HTMLSpanElement),
    fdRows: bodyOf('fds'),
    files: byId('files', HTMLUListElement),
    // recording
    recordingPanel: byId('recording-panel', HTMLElement),
    recordingName: byId('recording-name', HTMLSpanElement),
    recordingFile: byId('recording-file', HTMLInputElement),
    stepFirst: byId('step-first', HTMLButtonElement),
    stepBack: byId('step-back', HTMLButtonElement),
    stepForward: byId('step-forward', HTMLButtonElement),
    stepLast: byId('step-last', HTMLButtonElement),
    stepSlider: byId('step-slider', HTMLInputElement),
    stepIndex: byId('step-index', HTMLInputElement),
    stepOf: byId('step-of', HTMLSpanElement),
    stepCall: byId('step-call', HTMLDivElement),
    stepMemory: byId('step-memory', HTMLDivElement),
    stepAt: byId('step-at', HTMLSpanElement),
    stepFdRows: bodyOf('step-fds'),
    stepFiles: byId('step-files', HTMLUListElement),
    // summary
    summaryRows: bodyOf('summary'),
  };
}

export type Elements = ReturnType<typeof lookUp>;

/** The page's elements (the script runs at the end of <body>: they all exist). */
export const ui: Elements = lookUp();
