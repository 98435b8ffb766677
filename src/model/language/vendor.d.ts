// Type declarations for the untyped npm packages the language part uses.
declare module 'wink-porter2-stemmer' {
  /** The Porter2 (English) stem of one lower-case word. */
  export default function stem(word: string): string;
}
