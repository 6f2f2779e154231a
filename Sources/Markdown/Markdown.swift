/// Markdown owns cmark: Markdown in, safe HTML out.
public enum Markdown {}
