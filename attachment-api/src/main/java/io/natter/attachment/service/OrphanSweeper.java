package io.natter.attachment.service;

import io.natter.attachment.AttachmentConfig;
import io.natter.attachment.commands.AttachmentCommands;
import io.natter.attachment.objects.ObjectStorage;
import io.natter.attachment.store.Attachment;
import io.natter.attachment.store.AttachmentRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes uploads never completed: every interval, each pending row whose PUT URL expired more than the grace ago
 * goes (RemoveAttachment, its objects, the row), and so does any staged object older than URL life + grace (a PUT
 * repeated after completion). Safe with several instances: each row is handled under its lock and re-checked.
 */
public final class OrphanSweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OrphanSweeper.class);
    private static final int BATCH = 100;

    private final AttachmentRepository repository;
    private final ObjectStorage storage;
    private final AttachmentCommands commands;
    private final AttachmentConfig.Sweep settings;
    private final Duration uploadUrlTtl;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;

    public OrphanSweeper(AttachmentRepository repository, ObjectStorage storage, AttachmentCommands commands,
            AttachmentConfig.Sweep settings, Duration uploadUrlTtl, Clock clock) {
        this.repository = repository;
        this.storage = storage;
        this.commands = commands;
        this.settings = settings;
        this.uploadUrlTtl = uploadUrlTtl;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("orphan-sweeper")
                .daemon(true).factory());
    }

    /** Runs {@link #sweep} every interval from now on. */
    public void start() {
        long interval = settings.interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::sweepLogged, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void sweepLogged() {
        try {
            int swept = sweep();
            if (swept > 0) {
                log.info("swept {} abandoned upload(s)", swept);
            }
        } catch (RuntimeException e) {
            // The next run tries again; a failing database or store must not end the schedule.
            log.warn("orphan sweep failed: {}", e.toString());
        }
    }

    /** One pass; returns how many pending rows and stray staged objects it deleted. */
    public int sweep() {
        Instant cutoff = clock.instant().minus(settings.grace());
        int swept = 0;
        List<UUID> expired;
        do {
            expired = repository.pendingExpiredBefore(cutoff, BATCH);
            for (UUID id : expired) {
                swept += sweepRow(id, cutoff) ? 1 : 0;
            }
        } while (expired.size() == BATCH);
        for (String key : storage.writtenBefore(Attachment.STAGING_PREFIX, cutoff.minus(uploadUrlTtl), BATCH)) {
            storage.remove(key);
            swept++;
        }
        return swept;
    }

    private boolean sweepRow(UUID id, Instant cutoff) {
        return repository.locked(id, row -> {
            // Completed or deleted since it was listed: not an orphan any more.
            var current = row.current().filter(a -> !a.isReady() && a.expiresAt().isBefore(cutoff));
            if (current.isEmpty()) {
                return false;
            }
            Attachment orphan = current.get();
            // A completion that crashed after registering left it known to the topology: withdraw it in any case.
            commands.remove(orphan.roomId(), orphan.id(), AttachmentCommands.SWEEPER);
            storage.remove(orphan.stagingKey());
            storage.remove(orphan.fileKey());
            row.delete();
            return true;
        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
