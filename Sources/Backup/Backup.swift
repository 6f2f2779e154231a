/// Backup turns directory trees into recovery points and back: walking, change detection, archiving and restoring.
public enum BackupModule {}
