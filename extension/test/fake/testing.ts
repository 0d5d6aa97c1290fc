import path from 'node:path';
import type {
  CancellationToken,
  Location,
  MarkdownString,
  Range,
  RunHandler,
  TestController,
  TestItem,
  TestItemCollection,
  TestMessage,
  TestRun,
  TestRunProfile,
  TestRunProfileKind,
  TestRunRequest,
  TestTag,
  Uri,
} from '../../src/vscodeApi.ts';
import { Emitter } from './events.ts';

export class FakeTestItemCollection implements TestItemCollection {
  readonly #items = new Map<string, FakeTestItem>();
  readonly #owner: FakeTestItem | undefined;

  constructor(owner: FakeTestItem | undefined) {
    this.#owner = owner;
  }

  get size(): number {
    return this.#items.size;
  }

  get(itemId: string): FakeTestItem | undefined {
    return this.#items.get(itemId);
  }

  add(item: TestItem): void {
    const fake = item as FakeTestItem;
    fake.parent = this.#owner;
    this.#items.set(fake.id, fake);
  }

  delete(itemId: string): void {
    this.#items.delete(itemId);
  }

  replace(items: readonly TestItem[]): void {
    this.#items.clear();
    for (const item of items) this.add(item);
  }

  forEach(callback: (item: TestItem, collection: TestItemCollection) => unknown): void {
    for (const item of this.#items.values()) callback(item, this);
  }

  /** Children as the Testing view orders them: by sortText, else label. */
  sorted(): FakeTestItem[] {
    return [...this.#items.values()].sort((a, b) =>
      (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label),
    );
  }
}

export class FakeTestItem implements TestItem {
  readonly id: string;
  readonly uri: Uri | undefined;
  readonly children: FakeTestItemCollection;
  parent: FakeTestItem | undefined;
  tags: readonly TestTag[] = [];
  label: string;
  description?: string;
  sortText?: string;
  range: Range | undefined;
  error: string | MarkdownString | undefined;
  busy = false;
  canResolveChildren = false;

  constructor(id: string, label: string, uri: Uri | undefined) {
    this.id = id;
    this.label = label;
    this.uri = uri;
    this.children = new FakeTestItemCollection(this);
  }
}

export class FakeTestRunProfile implements TestRunProfile {
  label: string;
  readonly kind: TestRunProfileKind;
  readonly runHandler: RunHandler;
  isDefault: boolean;
  tag: TestTag | undefined;
  supportsContinuousRun: boolean;

  constructor(
    label: string,
    kind: TestRunProfileKind,
    runHandler: RunHandler,
    isDefault: boolean,
    tag: TestTag | undefined,
    continuous: boolean,
  ) {
    this.label = label;
    this.kind = kind;
    this.runHandler = runHandler;
    this.isDefault = isDefault;
    this.tag = tag;
    this.supportsContinuousRun = continuous;
  }

  dispose(): void {}
}

/** Orders what every run did, across runs: a second run's start can be compared to a first's end. */
let clock = 0;

export type RunEntry = (
  | { kind: 'enqueued' | 'started' | 'passed' | 'skipped'; item: FakeTestItem; duration?: number }
  | { kind: 'failed' | 'errored'; item: FakeTestItem; messages: TestMessage[]; duration?: number }
) & { at?: number };

export class CancellationSource {
  readonly #emitter = new Emitter<unknown>();
  isCancellationRequested = false;
  readonly token: CancellationToken;

  constructor() {
    const source = this;
    this.token = {
      get isCancellationRequested() {
        return source.isCancellationRequested;
      },
      onCancellationRequested: this.#emitter.event,
    };
  }

  cancel(): void {
    if (this.isCancellationRequested) return;
    this.isCancellationRequested = true;
    this.#emitter.fire(undefined);
  }
}

/** A TestRun that records every call, and renders the final state of each item as text. */
export class FakeTestRun implements TestRun {
  readonly request: TestRunRequest;
  readonly name: string | undefined;
  readonly entries: RunEntry[] = [];
  readonly output: { text: string; location?: Location; test?: FakeTestItem }[] = [];
  readonly token: CancellationToken;
  ended = false;
  /** When the run ended, on the clock entries are stamped with. */
  endedAt: number | undefined;
  readonly #onEnd = new Emitter<void>();
  readonly finished: Promise<void>;

  constructor(request: TestRunRequest, name: string | undefined, token: CancellationToken) {
    this.request = request;
    this.name = name;
    this.token = token;
    this.finished = new Promise((resolve) => this.#onEnd.event(() => resolve()));
  }

  enqueued(test: TestItem): void {
    this.#record({ kind: 'enqueued', item: test as FakeTestItem });
  }
  started(test: TestItem): void {
    this.#record({ kind: 'started', item: test as FakeTestItem });
  }
  skipped(test: TestItem): void {
    this.#record({ kind: 'skipped', item: test as FakeTestItem });
  }
  passed(test: TestItem, duration?: number): void {
    this.#record({ kind: 'passed', item: test as FakeTestItem, duration });
  }
  failed(test: TestItem, message: TestMessage | readonly TestMessage[], duration?: number): void {
    this.#record({ kind: 'failed', item: test as FakeTestItem, messages: [message].flat(), duration });
  }
  errored(test: TestItem, message: TestMessage | readonly TestMessage[], duration?: number): void {
    this.#record({ kind: 'errored', item: test as FakeTestItem, messages: [message].flat(), duration });
  }
  appendOutput(text: string, location?: Location, test?: TestItem): void {
    if (this.ended) throw new Error('appendOutput after the run ended');
    this.output.push({ text, location, test: test as FakeTestItem | undefined });
  }
  end(): void {
    if (this.ended) throw new Error('The run ended twice');
    this.ended = true;
    this.endedAt = ++clock;
    this.#onEnd.fire();
  }

  /** The last state of an item in this run: by id, as VS Code keys results (not by object). */
  stateOf(item: TestItem): RunEntry | undefined {
    return this.entries.findLast((entry) => entry.item.id === item.id);
  }

  /** Every item that got a result, in the order results arrived: "<indent><label>: <state>". */
  renderResults(): string {
    const seen: FakeTestItem[] = [];
    for (const entry of this.entries)
      if (!seen.some((item) => item.id === entry.item.id)) seen.push(entry.item);
    const top = Math.min(...seen.map(depth));
    return seen
      .map((item) => `${'  '.repeat(depth(item) - top)}${item.label}: ${this.stateOf(item)?.kind}`)
      .join('\n');
  }

  outputOf(item: TestItem): string {
    return this.output
      .filter((chunk) => chunk.test?.id === item.id)
      .map((chunk) => chunk.text)
      .join('');
  }

  #record(entry: RunEntry): void {
    if (this.ended) throw new Error(`${entry.kind} after the run ended: ${entry.item.id}`);
    this.entries.push({ ...entry, at: ++clock });
  }
}

function depth(item: FakeTestItem): number {
  let levels = 0;
  for (let current: FakeTestItem | undefined = item; current; current = current.parent) levels++;
  return levels;
}

export class FakeTestController implements TestController {
  readonly id: string;
  readonly label: string;
  readonly items = new FakeTestItemCollection(undefined);
  readonly profiles: FakeTestRunProfile[] = [];
  readonly runs: FakeTestRun[] = [];
  readonly #onRun = new Emitter<FakeTestRun>();
  readonly onDidCreateRun = this.#onRun.event;
  refreshHandler: ((token: CancellationToken) => Thenable<void> | void) | undefined;

  constructor(id: string, label: string) {
    this.id = id;
    this.label = label;
  }

  createTestItem(id: string, label: string, uri?: Uri): FakeTestItem {
    return new FakeTestItem(id, label, uri);
  }

  createRunProfile(
    label: string,
    kind: TestRunProfileKind,
    runHandler: RunHandler,
    isDefault = false,
    tag?: TestTag,
    supportsContinuousRun = false,
  ): FakeTestRunProfile {
    const profile = new FakeTestRunProfile(label, kind, runHandler, isDefault, tag, supportsContinuousRun);
    this.profiles.push(profile);
    return profile;
  }

  createTestRun(request: TestRunRequest, name?: string): FakeTestRun {
    const run = new FakeTestRun(request, name, new CancellationSource().token);
    this.runs.push(run);
    this.#onRun.fire(run);
    return run;
  }

  /** Disposed controllers leave the Testing view. */
  disposed = false;

  dispose(): void {
    this.disposed = true;
  }

  /** Finds an item by its labels from the root, e.g. `['Data scientist', 'x.journey.ts', 'journey']`. */
  find(...labels: string[]): FakeTestItem {
    let items = this.items.sorted();
    let found: FakeTestItem | undefined;
    for (const label of labels) {
      found = items.find((item) => item.label === label);
      if (!found) throw new Error(`No item "${label}" among: ${items.map((item) => item.label).join(', ')}`);
      items = found.children.sorted();
    }
    if (!found) throw new Error('Name at least one label');
    return found;
  }

  /**
   * The tree as the Testing view lists it: one line per item, indented, with its description,
   * its tags (sorted; a step shows them only where they differ from its journey's) and its line
   * (1-based) or path.
   */
  renderTree(workspaceDir: string): string {
    const lines: string[] = [];
    const render = (item: FakeTestItem, indent: string) => {
      const notes = [
        item.description ? `(${item.description})` : '',
        item.tags.length === 0 || (item.parent?.range && tagList(item.tags) === tagList(item.parent.tags))
          ? ''
          : `[${tagList(item.tags)}]`,
        item.range
          ? `:${item.range.start.line + 1}`
          : item.uri
            ? `<${path.relative(workspaceDir, item.uri.fsPath)}>`
            : '',
      ].filter(Boolean);
      lines.push(`${indent}${item.label}${notes.length > 0 ? ` ${notes.join(' ')}` : ''}`);
      for (const child of item.children.sorted()) render(child, `${indent}  `);
    };
    for (const item of this.items.sorted()) render(item, '');
    return lines.join('\n');
  }
}

function tagList(tags: readonly TestTag[]): string {
  return tags
    .map((tag) => `@${tag.id}`)
    .sort()
    .join(' ');
}
