// Undo and redo over whole snapshots of the field list. A change made in several steps
// (a drag, typing in a label) gives one step when each commit names the same `coalesce`
// key: the step's snapshot is replaced rather than a new one pushed.

const clone = (value) => JSON.parse(JSON.stringify(value));

export class History {
  constructor(initial, limit = 200) {
    this.past = [];
    this.future = [];
    this.present = clone(initial);
    this.limit = limit;
    this.lastKey = null;
  }

  get current() {
    return clone(this.present);
  }

  get canUndo() {
    return this.past.length > 0;
  }

  get canRedo() {
    return this.future.length > 0;
  }

  // Records a new state; answers false when nothing changed.
  commit(state, coalesce = null) {
    const next = clone(state);
    if (JSON.stringify(next) === JSON.stringify(this.present)) return false;
    if (coalesce !== null && coalesce === this.lastKey && this.past.length > 0) {
      this.present = next;
    } else {
      this.past.push(this.present);
      if (this.past.length > this.limit) this.past.shift();
      this.present = next;
    }
    this.future = [];
    this.lastKey = coalesce;
    return true;
  }

  // Ends a coalesced step: the next commit with the same key starts a new one.
  seal() {
    this.lastKey = null;
  }

  undo() {
    if (!this.canUndo) return null;
    this.future.push(this.present);
    this.present = this.past.pop();
    this.lastKey = null;
    return this.current;
  }

  redo() {
    if (!this.canRedo) return null;
    this.past.push(this.present);
    this.present = this.future.pop();
    this.lastKey = null;
    return this.current;
  }
}
