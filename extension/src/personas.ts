/**
 * Who the journeys are about. A persona is a folder under `journeys/`; the suite tells their
 * stories in this order (the data scientist builds a model, the deployer ships it, the analyst
 * watches it), and the explorer lists them the same way.
 */
const storyOrder = ['data-scientist', 'production-deployer', 'security-analyst'];

/** "data-scientist" → "Data scientist". */
export function personaLabel(folder: string): string {
  const words = folder.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A sort key placing known personas in story order and any other folder after them, by name. */
export function personaSortText(folder: string): string {
  const rank = storyOrder.indexOf(folder);
  return rank >= 0 ? `0${rank}` : `1${folder}`;
}
