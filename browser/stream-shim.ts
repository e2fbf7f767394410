/**
 * node:stream for the browser build. memfs subclasses Readable and Writable
 * for createReadStream/createWriteStream when it loads; tswasi never creates
 * those streams, so empty base classes are enough, and using one says so.
 */
class Unavailable {
  constructor() {
    throw new Error('node:stream is not available in the tswasi browser build');
  }
}
export class Readable extends Unavailable {}
export class Writable extends Unavailable {}
