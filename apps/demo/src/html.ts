/** Escapes text for HTML and XML (SVG) content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON for a `<script type="application/json">` element: `<` is written `\u003c`, so no
 * value (a host name, say) can close the element, and U+2028/U+2029 are escaped too.
 * `JSON.parse(element.textContent)` gives the value back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
