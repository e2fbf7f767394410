/** The global `Buffer` memfs and the core's memfs paths expect, in the browser build (esbuild inject). */
export { Buffer } from 'buffer';
