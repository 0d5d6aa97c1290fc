import path from 'node:path';
import type { JourneyFile } from '../discovery/journeyFiles.ts';
import type { StaticJourney, StaticStep } from '../discovery/journeyParser.ts';
import { personaLabel, personaSortText } from '../personas.ts';
import type { TestController, TestItem, TestTag, VSCode } from '../vscodeApi.ts';

/** What a tree item stands for, so a run request can be turned into Playwright arguments. */
export type TreeNode =
  | { kind: 'persona'; folder: string }
  | { kind: 'file'; file: string }
  | {
      kind: 'journey';
      file: string;
      line: number;
      tags: string[];
      /** Describe titles and the journey's own, as Playwright's title path below the file. */
      titlePath: string[];
      /** How many leading titles of `titlePath` are exact (the rest are computed at run time). */
      exactTitles: number;
    }
  /** `computed`: a step whose title is only known at run time (a template literal). */
  | { kind: 'step'; journeyId: string; computed: boolean };

const separator = ' \u203a ';

/**
 * The Test Explorer's tree: persona → journey file → journey → steps. Built from static
 * discovery, then amended by runs with the steps that really ran (same ids, so a static step and
 * its run share one item). Ids are stable (persona folder, file path, title path), and a file read
 * again updates its items in place: a run or a continuous-run request that holds an item keeps
 * holding the one the tree shows. Lookups still go by id, as VS Code's own results do.
 */
export class JourneyTree {
  readonly #vscode: VSCode;
  readonly #controller: TestController;
  readonly #journeysDir: string;
  readonly #nodes = new Map<string, TreeNode>();
  readonly #items = new Map<string, TestItem>();

  constructor(vscode: VSCode, controller: TestController, journeysDir: string) {
    this.#vscode = vscode;
    this.#controller = controller;
    this.#journeysDir = journeysDir;
  }

  get journeysDir(): string {
    return this.#journeysDir;
  }

  node(item: TestItem): TreeNode | undefined {
    return this.#nodes.get(item.id);
  }

  /** The item the tree shows under this id (a request may hold an item from before an edit). */
  current(item: TestItem): TestItem | undefined {
    return this.#items.get(item.id);
  }

  /** Replaces the whole tree with these files; items of files still there keep their identity. */
  replaceAll(files: JourneyFile[]): void {
    const kept = new Set(files.map((file) => `file/${file.relativePath}`));
    for (const fileId of [...this.#nodes.keys()].filter((id) => id.startsWith('file/'))) {
      const node = this.#nodes.get(fileId);
      if (!kept.has(fileId) && node?.kind === 'file') this.removeFile(node.file);
    }
    for (const file of files) this.upsertFile(file);
  }

  upsertFile(file: JourneyFile): void {
    const persona = this.#personaItem(file.persona);
    const fileId = `file/${file.relativePath}`;
    const fileItem =
      persona.children.get(fileId) ??
      this.#create(fileId, path.posix.basename(file.relativePath), file.absolutePath);
    fileItem.sortText = file.relativePath;
    this.#nodes.set(fileId, { kind: 'file', file: file.absolutePath });
    this.#reconcile(
      fileItem,
      file.journeys.map((journey) => this.#journeyItem(fileItem, file, journey)),
    );
    fileItem.tags = unionTags(fileItem.children);
    persona.children.add(fileItem);
    this.#retagPersona(persona);
  }

  /** Drops every file (and persona) whose journey file is gone: a deleted or renamed folder. */
  removeMissing(exists: (file: string) => boolean): void {
    for (const node of [...this.#nodes.values()]) {
      if (node.kind === 'file' && !exists(node.file)) this.removeFile(node.file);
    }
  }

  removeFile(absolutePath: string): void {
    const fileId = `file/${this.#relative(absolutePath)}`;
    for (const persona of this.#itemsOf(this.#controller.items)) {
      const fileItem = persona.children.get(fileId);
      if (!fileItem) continue;
      this.#forgetBelow(fileItem);
      persona.children.delete(fileId);
      if (persona.children.size === 0) {
        this.#nodes.delete(persona.id);
        this.#controller.items.delete(persona.id);
      } else {
        this.#retagPersona(persona);
      }
    }
  }

  /** The journey a run reports, by file and title path; created if static discovery missed it. */
  journeyFor(file: string, titlePath: string[], line: number, column: number): TestItem {
    const relativePath = this.#relative(file);
    const id = `journey/${relativePath}/${titlePath.join(separator)}`;
    const segments = relativePath.split('/');
    const persona = segments.length > 1 ? (segments[0] ?? '') : '';
    let fileItem = this.#personaItem(persona).children.get(`file/${relativePath}`);
    const existing = fileItem?.children.get(id);
    if (existing) return existing;
    const journeyFile: JourneyFile = { persona, relativePath, absolutePath: file, journeys: [] };
    if (!fileItem) {
      this.upsertFile(journeyFile);
      fileItem = this.#personaItem(persona).children.get(`file/${relativePath}`);
    }
    const journey: StaticJourney = {
      title: titlePath.at(-1) ?? '',
      describePath: titlePath.slice(0, -1),
      line,
      column,
      tags: [],
      modifier: undefined,
      literalTitle: true,
      exactTitles: titlePath.length,
      steps: [],
    };
    if (!fileItem) throw new Error(`The tree has no item for ${relativePath}`);
    const item = this.#journeyItem(fileItem, journeyFile, journey);
    fileItem.children.add(item);
    return item;
  }

  /**
   * The step item for the `occurrence`-th step titled `title` under `parent` (a journey or a step).
   * Titles match case-insensitively: a task statically named "sign in through sso" may run as
   * "sign in through SSO".
   */
  stepFor(parent: TestItem, title: string, occurrence: number, line: number | undefined): TestItem {
    const id = stepId(parent.id, title, occurrence);
    const existing = parent.children.get(id);
    if (existing) {
      existing.label = title;
      return existing;
    }
    const journey = this.#journeyOf(parent);
    const item = this.#controller.createTestItem(id, title, parent.uri);
    this.#items.set(id, item);
    item.tags = journey?.tags ?? [];
    item.sortText = `${String(parent.children.size).padStart(4, '0')}`;
    if (line !== undefined && parent.uri) item.range = this.#lineRange(line);
    if (journey) this.#nodes.set(id, { kind: 'step', journeyId: journey.id, computed: false });
    parent.children.add(item);
    return item;
  }

  /** Drops a step from the tree (a computed placeholder once the run showed the real steps). */
  removeStep(item: TestItem): void {
    this.#forgetBelow(item);
    item.parent?.children.delete(item.id);
  }

  /**
   * Every journey item below these items (or in the whole tree), as the tree shows them now:
   * items are matched by id, so a request made before an edit still finds its journeys.
   */
  journeysBelow(items?: readonly TestItem[]): TestItem[] {
    const roots = items
      ? items.flatMap((item) => this.#items.get(item.id) ?? [])
      : this.#itemsOf(this.#controller.items);
    const journeys: TestItem[] = [];
    const walk = (item: TestItem): void => {
      const node = this.#nodes.get(item.id);
      if (node?.kind === 'journey') {
        if (!journeys.includes(item)) journeys.push(item);
      } else if (node?.kind === 'step') {
        const journey = this.#items.get(node.journeyId);
        if (journey && !journeys.includes(journey)) journeys.push(journey);
      } else for (const child of this.#itemsOf(item.children)) walk(child);
    };
    for (const root of roots) walk(root);
    return journeys;
  }

  #personaItem(folder: string): TestItem {
    const id = `persona/${folder}`;
    const existing = this.#controller.items.get(id);
    if (existing) return existing;
    const item = this.#create(
      id,
      folder ? personaLabel(folder) : 'Journeys without a persona',
      path.join(this.#journeysDir, folder),
    );
    item.sortText = personaSortText(folder);
    this.#nodes.set(id, { kind: 'persona', folder });
    this.#controller.items.add(item);
    return item;
  }

  #journeyItem(fileItem: TestItem, file: JourneyFile, journey: StaticJourney): TestItem {
    const titlePath = [...journey.describePath, journey.title];
    const id = `journey/${file.relativePath}/${titlePath.join(separator)}`;
    const item = fileItem.children.get(id) ?? this.#create(id, journey.title, file.absolutePath);
    item.label = journey.title;
    const describe = journey.describePath.join(separator);
    // "flaky" is the last run's verdict, not the source's: an edit keeps it until the next run.
    const flaky = item.description?.split(' · ').includes('flaky') ? 'flaky' : undefined;
    const notes = [describe, journey.modifier, flaky].filter(Boolean);
    item.description = notes.length > 0 ? notes.join(' · ') : undefined;
    // Story order is source order: a file tells its journeys top to bottom.
    item.sortText = String(journey.line).padStart(6, '0');
    item.range = this.#lineRange(journey.line);
    // A journey carries its persona folder as a tag, so a persona's profile runs exactly its folder.
    const tags = [
      ...journey.tags.map((tag) => tag.replace(/^@/, '')),
      ...(file.persona ? [file.persona] : []),
    ];
    const tagIds = [...new Set(tags)];
    item.tags = tagIds.map((tag) => this.#tag(tag));
    this.#nodes.set(id, {
      kind: 'journey',
      file: file.absolutePath,
      line: journey.line,
      tags: tagIds,
      titlePath,
      exactTitles: journey.exactTitles,
    });
    this.#reconcile(item, this.#stepItems(item, item, journey.steps));
    return item;
  }

  #stepItems(journey: TestItem, parent: TestItem, steps: StaticStep[]): TestItem[] {
    const seen = new Map<string, number>();
    return steps.map((step, index) => {
      const key = step.title.toLowerCase();
      const occurrence = seen.get(key) ?? 0;
      seen.set(key, occurrence + 1);
      const id = stepId(parent.id, step.title, occurrence);
      const item = parent.children.get(id) ?? this.#create(id, step.title, journey.uri?.fsPath);
      item.label = step.title;
      item.sortText = String(index).padStart(4, '0');
      item.range = this.#lineRange(step.line);
      item.tags = journey.tags;
      this.#nodes.set(id, { kind: 'step', journeyId: journey.id, computed: !step.literalTitle });
      this.#reconcile(item, this.#stepItems(journey, item, step.steps));
      return item;
    });
  }

  /** Sets `parent`'s children to `children`, forgetting the ones that went away. */
  #reconcile(parent: TestItem, children: TestItem[]): void {
    const keep = new Set(children.map((child) => child.id));
    for (const old of this.#itemsOf(parent.children)) if (!keep.has(old.id)) this.#forgetBelow(old);
    parent.children.replace(children);
  }

  #create(id: string, label: string, file: string | undefined): TestItem {
    const item = this.#controller.createTestItem(id, label, file ? this.#vscode.Uri.file(file) : undefined);
    this.#items.set(id, item);
    return item;
  }

  #retagPersona(persona: TestItem): void {
    const node = this.#nodes.get(persona.id);
    const own = node?.kind === 'persona' && node.folder ? [this.#tag(node.folder)] : [];
    persona.tags = unionTags(persona.children, ...own);
  }

  #relative(file: string): string {
    return path.relative(this.#journeysDir, file).split(path.sep).join('/');
  }

  #journeyOf(item: TestItem): TestItem | undefined {
    const node = this.#nodes.get(item.id);
    if (node?.kind === 'journey') return item;
    if (node?.kind === 'step') return this.#items.get(node.journeyId);
    return undefined;
  }

  #forgetBelow(item: TestItem | undefined): void {
    if (!item) return;
    this.#nodes.delete(item.id);
    this.#items.delete(item.id);
    for (const child of this.#itemsOf(item.children)) this.#forgetBelow(child);
  }

  #itemsOf(collection: TestController['items']): TestItem[] {
    const items: TestItem[] = [];
    collection.forEach((item) => {
      items.push(item);
    });
    return items;
  }

  #lineRange(line: number) {
    return new this.#vscode.Range(line - 1, 0, line - 1, 0);
  }

  #tag(id: string): TestTag {
    return new this.#vscode.TestTag(id);
  }
}

function stepId(parentId: string, title: string, occurrence: number): string {
  return `${parentId}${separator}${title.toLowerCase()}#${occurrence}`;
}

function unionTags(children: TestController['items'], ...extra: TestTag[]): TestTag[] {
  const tags = new Map<string, TestTag>();
  for (const tag of extra) tags.set(tag.id, tag);
  children.forEach((child) => {
    for (const tag of child.tags) tags.set(tag.id, tag);
  });
  return [...tags.values()].sort((a, b) => a.id.localeCompare(b.id));
}
