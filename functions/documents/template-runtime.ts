import HandlebarsRuntime from 'handlebars/runtime';

/**
 * One isolated Handlebars runtime per template family (documents, emails, pages): their own helpers
 * and partials, nothing registered elsewhere in the process leaks in, and prototype access off
 * (Handlebars' default since 4.6: view models are plain data). Built on first use.
 */
export type Template = (context: unknown, options?: unknown) => string;

interface Runtime {
  create(): Runtime;
  template(spec: unknown): Template;
  registerPartial(name: string, partial: Template): void;
  registerHelper(name: string, fn: (...args: unknown[]) => unknown): void;
}

export const RENDER_OPTIONS = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
} as const;

export function templateFamily(specs: {
  helpers: Record<string, unknown>;
  templates: Record<string, unknown>;
  partials?: Record<string, unknown>;
}): () => Map<string, Template> {
  let compiled: Map<string, Template> | undefined;
  return () => {
    if (compiled) return compiled;
    const hb = (HandlebarsRuntime as unknown as Runtime).create();
    for (const [name, fn] of Object.entries(specs.helpers))
      hb.registerHelper(name, fn as (...a: unknown[]) => unknown);
    for (const [name, spec] of Object.entries(specs.partials ?? {}))
      hb.registerPartial(name, hb.template(spec));
    compiled = new Map(Object.entries(specs.templates).map(([name, spec]) => [name, hb.template(spec)]));
    return compiled;
  };
}
