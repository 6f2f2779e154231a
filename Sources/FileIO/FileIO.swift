/// FileIO wraps the POSIX calls Haven uses for files and maps errno to one error type in one place.
public enum FileIO {}
