// How GitHub would render a comment, as far as an attacker cares: which links, images and HTML it
// holds, and which text is live (not inside code), where a mention or a URL would come alive.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

interface Node {
  type: string;
  value?: string;
  url?: string;
  alt?: string;
  children?: Node[];
}

export interface LiveParts {
  /** URLs of links and images, and the alt text of images. */
  targets: string[];
  /** Raw HTML the comment holds. */
  html: string[];
  /** Text outside code spans and code blocks: GitHub turns @names and #refs in it into links. */
  text: string[];
}

export function liveParts(markdown: string): LiveParts {
  const parts: LiveParts = { targets: [], html: [], text: [] };
  const walk = (node: Node) => {
    switch (node.type) {
      case 'inlineCode':
      case 'code':
        return;
      case 'link':
      case 'image':
        parts.targets.push(node.url ?? '', node.alt ?? '');
        break;
      case 'html':
        // A whole HTML comment is never shown (the action's record is one).
        if (!/^<!--[\s\S]*-->$/.test((node.value ?? '').trim())) parts.html.push(node.value ?? '');
        break;
      case 'text':
        parts.text.push(node.value ?? '');
        break;
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }) as Node);
  return parts;
}

/** Every place `needle` would be live in the rendered comment (empty when it only appears as code). */
export function liveOccurrences(markdown: string, needle: string): string[] {
  const parts = liveParts(markdown);
  return [...parts.targets, ...parts.html, ...parts.text].filter((part) => part.includes(needle));
}
