/*
 * libvmcheck: measure a practice answer-phone message.
 *
 * The library takes audio (a file path, a memory buffer, or mono float
 * samples pushed in blocks), and returns a finished report: speech span,
 * pauses, loudness, speaking rate, pitch, the name and number segments
 * and the flags a trainer cares about.  It never prints: diagnostics go to
 * the logger in VmcheckConfig, which is silent by default.
 *
 * Conventions
 *  - Every function returns VMCHECK_OK (0) or a negative VMCHECK_E* code;
 *    out-parameters are written only on success.
 *  - Times are in seconds (_s), frequencies in Hz (_hz), levels in dBFS
 *    (_dbfs: 10*log10 of the mean square re full scale, so a full-scale
 *    square wave is 0 dBFS and a full-scale sine -3.01 dBFS, as sox's
 *    "RMS lev dB").  A level of nothing at all is -INFINITY.
 *  - The per-frame grid has a hop of 10 ms; frame i is centred at i*hop_s.
 *
 * ABI: what a program built against this header can rely on while the
 * soname stays (libvmcheck.so.0)
 *  - VmcheckConfig grows at its end only.  The caller allocates it, so the
 *    library is told its size: vmcheck_config_default(), vmcheck_analyzer_create(),
 *    vmcheck_analyze_file() and vmcheck_analyze_memory() are macros that pass
 *    sizeof(VmcheckConfig) to the *_sized functions.  The library reads and
 *    writes only that many bytes, and gives the fields the caller's header
 *    did not have their defaults.  (The functions of those names, as taken
 *    by programs built against 0.1 or by address, take the 0.1 layout.)
 *  - VmcheckReport is allocated by the library and grows at its end only;
 *    free it with vmcheck_report_free().
 *  - VmcheckSegment and VmcheckFlag grow at their end only.  Reach element i
 *    with vmcheck_report_segment(r, i) and vmcheck_report_flag(r, i), never
 *    by indexing: the arrays r->segments and r->flags keep the 0.1 element
 *    layout for programs built against 0.1 that index them, so once an
 *    element has grown, the new fields are only in what the accessors return.
 *  - VmcheckPause, VmcheckSegmentSpec and VmcheckLogger are frozen: arrays
 *    of them may be indexed (a later version that needs more adds a new type).
 *  - Enum values keep their numbers; new ones are added before the *_COUNT_.
 *  - Everything the library allocates has its free function
 *    (vmcheck_report_free(), vmcheck_labels_free(), vmcheck_analyzer_destroy()).
 *  Anything else (a field moved or removed, a type changed) bumps the soname.
 */
#ifndef VMCHECK_VMCHECK_H
#define VMCHECK_VMCHECK_H

#include <stdarg.h>
#include <stddef.h>

#include "vmcheck/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VMCHECK_API
#if defined(_WIN32)
#define VMCHECK_API __declspec(dllimport)
#elif defined(__GNUC__)
#define VMCHECK_API __attribute__((visibility("default")))
#else
#define VMCHECK_API
#endif
#endif

#if defined(__GNUC__)
#define VMCHECK_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define VMCHECK_WARN_UNUSED
#endif
/* nonnull only for callers: inside the library our own NULL checks must stay. */
#if defined(__GNUC__) && !defined(VMCHECK_BUILDING_LIBRARY)
#define VMCHECK_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#else
#define VMCHECK_NONNULL(...)
#endif

/** Return codes. */
enum VmcheckStatus {
    VMCHECK_OK = 0,
    VMCHECK_EINVAL = -1,  /**< invalid argument (API misuse) */
    VMCHECK_ENOMEM = -2,  /**< out of memory */
    VMCHECK_EIO = -3,     /**< path missing, unreadable or a directory */
    VMCHECK_EFORMAT = -4, /**< not audio, truncated or unsupported encoding */
    VMCHECK_ERANGE = -5,  /**< channels, sample rate or length out of bounds */
    VMCHECK_EDATA = -6,   /**< NaN or infinite samples */
    VMCHECK_EEMPTY = -7,  /**< empty file or zero frames */
    VMCHECK_ELABELS = -8, /**< malformed label/segment spec or times outside the recording */
    VMCHECK_ESCRIPT = -9, /**< malformed script text */
};

/** Hard limits on input (checked before any allocation). */
#define VMCHECK_MIN_RATE_HZ 8000
#define VMCHECK_MAX_RATE_HZ 192000
#define VMCHECK_MAX_CHANNELS 8
#define VMCHECK_MAX_DURATION_S (6.0 * 3600.0)
#define VMCHECK_HOP_S 0.01
/** Per-frame energy tracks are floored here so they stay finite. */
#define VMCHECK_TRACK_FLOOR_DB (-120.0)

enum VmcheckLogLevel {
    VMCHECK_LOG_ERROR = 0,
    VMCHECK_LOG_WARNING = 1,
    VMCHECK_LOG_INFO = 2,
    VMCHECK_LOG_DEBUG = 3,
};

/** Logger: a cookie and a vprintf-style callback. NULL callback = silent. */
typedef struct VmcheckLogger {
    void *cookie;
    void (*callback)(void *cookie, enum VmcheckLogLevel level, const char *fmt, va_list ap);
} VmcheckLogger;

/**
 * Analysis settings.  Fill with vmcheck_config_default(), then change what
 * you need; create() and the analyse functions copy it.  New fields are only
 * ever added at the end, and the library is always told the caller's size
 * (see ABI above).
 */
typedef struct VmcheckConfig {
    VmcheckLogger logger;
    double min_pause_s;       /**< shortest silence counted as a pause (0.25) */
    double max_number_rate;   /**< number segment limit, syllables/s (3.5) */
    double max_name_rate;     /**< name segment limit, syllables/s (4.0) */
    double pitch_floor_hz;    /**< lowest F0 searched (60) */
    double pitch_ceiling_hz;  /**< highest F0 searched (500) */
    double baseline_f0_hz;    /**< the speaker's ordinary median F0; 0 = none (lift_st null) */
    double min_lift_st;       /**< no_lift below this (0.5) */
    double max_lift_st;       /**< overdone_lift above this (6.0) */
    double monotone_range_st; /**< monotone below this pitch range (3.0) */
    double long_message_s;    /**< long_message above this speech span (30) */
    double late_start_s;      /**< late_start when speech begins after this (2.0) */
    double low_level_dbfs;    /**< low_level when speech is under this (-40) */
    double clipping_ratio;    /**< clipping when more samples than this are clipped (0.001) */
    double noisy_snr_db;      /**< noisy when SNR is under this (15) */
    int keep_tracks;          /**< keep per-frame tracks in the report (0) */
    int threads;        /**< threads one analysis may use (0 or 1: only the caller's); results do not depend on it */
    int digit_detector; /**< listen for digit words (1): finds the number, its digits and what was heard */
} VmcheckConfig;

/** Kind of a message segment. */
enum VmcheckSegmentKind {
    VMCHECK_SEGMENT_NAME = 0,
    VMCHECK_SEGMENT_NUMBER = 1,
};

/** Where a segment's times came from. */
enum VmcheckSegmentSource {
    VMCHECK_SOURCE_LABELS = 0, /**< given by the caller (labels, --name, --number) */
    VMCHECK_SOURCE_SCRIPT = 1, /**< aligned to the prepared script */
    VMCHECK_SOURCE_AUTO = 2,   /**< found in the audio */
};

/** A segment given by the caller: kind and times in seconds. */
typedef struct VmcheckSegmentSpec {
    enum VmcheckSegmentKind kind;
    double start_s;
    double end_s;
    unsigned line; /**< line of the label file it came from, for messages; 0 if none */
} VmcheckSegmentSpec;

enum VmcheckSeverity {
    VMCHECK_SEVERITY_WARNING = 0,
    VMCHECK_SEVERITY_ERROR = 1,
};

/** Flags, as in SPEC.md. */
enum VmcheckFlagCode {
    VMCHECK_FLAG_NUMBER_TOO_FAST = 0,
    VMCHECK_FLAG_NAME_TOO_FAST,
    VMCHECK_FLAG_NO_SPEECH,
    VMCHECK_FLAG_NUMBER_NOT_FOUND,
    VMCHECK_FLAG_NO_LIFT,
    VMCHECK_FLAG_OVERDONE_LIFT,
    VMCHECK_FLAG_MONOTONE,
    VMCHECK_FLAG_LONG_MESSAGE,
    VMCHECK_FLAG_LATE_START,
    VMCHECK_FLAG_LOW_LEVEL,
    VMCHECK_FLAG_CLIPPING,
    VMCHECK_FLAG_NOISY,
    VMCHECK_FLAG_SCRIPT_MISMATCH,
    VMCHECK_FLAG_NUMBER_MISMATCH,
    VMCHECK_FLAG_TRUNCATED, /**< the audio ends before its header says: the part there was analysed */
    VMCHECK_FLAG_COUNT_
};

typedef struct VmcheckFlag {
    enum VmcheckFlagCode code;
    enum VmcheckSeverity severity;
    double start_s, end_s; /**< the stretch concerned; both 0 for the whole message */
    char message[200];     /**< one line: the figure and the remedy */
} VmcheckFlag;

typedef struct VmcheckPause {
    double start_s, end_s;
} VmcheckPause;

typedef struct VmcheckSegment {
    enum VmcheckSegmentKind kind;
    enum VmcheckSegmentSource source;
    double start_s, end_s;
    size_t syllables;
    double syllables_per_s;
    int too_fast;        /**< verdict: 1 too fast, 0 ok */
    double median_f0_hz; /**< 0 when unvoiced */
    size_t groups;       /**< digit groups: stretches of speech separated by gaps of 120 ms or more */
    size_t gap_count;    /**< gaps between the groups (groups - 1) */
    VmcheckPause *gaps;  /**< their times (owned by the report) */
    char text[48];       /**< numbers from a script: the digits as written, grouped ("020 7946 0188"); else "" */
    size_t
        digits; /**< numbers: the digits of the script's number when there is one, else the digit words heard in the span ("double seven" is 2); 0 when none */
    double digits_per_s; /**< numbers: digits / duration */
    char heard[32];      /**< numbers: the digits as recognised ("07700900123"), only when every one is sure; else "" */
} VmcheckSegment;

/** A finished analysis.  Owned by the library: free with vmcheck_report_free(). */
typedef struct VmcheckReport {
    /* audio */
    double duration_s;
    unsigned sample_rate_hz;
    unsigned channels;
    char format[48]; /**< e.g. "WAV PCM 16"; "" for pushed samples */
    /* speech */
    int has_speech;
    double speech_start_s, speech_end_s;
    double phonation_s;
    size_t pause_count;
    double pause_total_s;
    double longest_pause_s;
    VmcheckPause *pauses;
    /* loudness */
    double speech_dbfs;      /**< mean level of speech frames; -INFINITY if none */
    double noise_floor_dbfs; /**< level of the quietest frames; -INFINITY for digital silence */
    double snr_db;           /**< speech minus noise floor; INFINITY over digital silence */
    double clipped_ratio;    /**< fraction of samples clipped (at the encoding's largest value, any channel) */
    /* rate */
    size_t syllable_count;
    double *syllables_s; /**< times of syllable nuclei */
    double syllables_per_s;
    double articulation_rate;
    double wpm_est;
    double syllables_per_word; /**< used for wpm_est: from the script, else 1.4 */
    /* pitch */
    double f0_median_hz, f0_p10_hz, f0_p90_hz; /**< 0 when nothing is voiced */
    double range_st;
    double voiced_ratio;  /**< voiced frames / frames of speech */
    size_t voiced_frames; /**< voiced frames of speech */
    double lift_st;       /**< NAN without a baseline */
    /* segments and flags */
    size_t segment_count;
    VmcheckSegment *segments; /**< 0.1 element layout: use vmcheck_report_segment() */
    size_t flag_count;
    VmcheckFlag *flags; /**< 0.1 element layout: use vmcheck_report_flag() */
    /* ranking */
    double score; /**< 0-100, see the README: 100 is a message with nothing to improve */
    /* tracks (only when keep_tracks) */
    double hop_s;
    size_t frame_count;
    float *energy_db; /**< per frame, floored at VMCHECK_TRACK_FLOOR_DB */
    float *f0_hz;     /**< per frame, 0 where unvoiced */
    float *band_db;   /**< per frame, 300-1200 Hz level (the syllable envelope), dBFS */
    /* after the 0.1 layout */
    struct VmcheckReportInternal *internal; /**< the library's own: do not touch */
} VmcheckReport;

/** Streaming analyser. */
typedef struct VmcheckAnalyzer VmcheckAnalyzer;

/** Library version string, e.g. "0.1.0". */
VMCHECK_API const char *vmcheck_version(void);

/** A short English description of a status code; never NULL. */
VMCHECK_API const char *vmcheck_strerror(int status);

/** The flag's SPEC.md code, e.g. "number_too_fast"; "" if out of range. */
VMCHECK_API const char *vmcheck_flag_name(enum VmcheckFlagCode code);

/**
 * Fill *cfg with the defaults listed in VmcheckConfig.  NULL is ignored.
 * @param cfg_size  sizeof(VmcheckConfig) as the caller knows it (the macro
 *                  vmcheck_config_default(cfg) passes it); at most that many
 *                  bytes are written.  A size under 0.1's writes nothing.
 */
VMCHECK_API void vmcheck_config_default_sized(VmcheckConfig *cfg, size_t cfg_size);
VMCHECK_API void(vmcheck_config_default)(VmcheckConfig *cfg);
#define vmcheck_config_default(cfg) vmcheck_config_default_sized((cfg), sizeof(VmcheckConfig))

/**
 * Create a streaming analyser for mono float samples at sample_rate_hz.
 * @param out       receives the analyser
 * @param cfg       settings, copied; NULL for defaults
 * @param cfg_size  sizeof(VmcheckConfig) as the caller knows it (the macro
 *                  vmcheck_analyzer_create(out, cfg, rate) passes it)
 * @return VMCHECK_OK, VMCHECK_EINVAL (out NULL, bad cfg values, cfg_size
 *         under 0.1's), VMCHECK_ERANGE (rate outside 8000..192000), VMCHECK_ENOMEM
 */
VMCHECK_API VMCHECK_WARN_UNUSED int vmcheck_analyzer_create_sized(VmcheckAnalyzer **out, const VmcheckConfig *cfg,
                                                                  size_t cfg_size, unsigned sample_rate_hz)
    VMCHECK_NONNULL(1);
VMCHECK_API VMCHECK_WARN_UNUSED int(vmcheck_analyzer_create)(VmcheckAnalyzer **out, const VmcheckConfig *cfg,
                                                             unsigned sample_rate_hz) VMCHECK_NONNULL(1);
#define vmcheck_analyzer_create(out, cfg, rate)                                                                        \
    vmcheck_analyzer_create_sized((out), (cfg), sizeof(VmcheckConfig), (rate))

/**
 * Push n_frames mono samples (full scale is +-1.0).  Any block length works.
 * @return VMCHECK_OK, VMCHECK_EINVAL (a NULL with n_frames > 0, or called after finish),
 *         VMCHECK_EDATA (a NaN or infinite sample: the analyser is then finished with an error),
 *         VMCHECK_ERANGE (longer than VMCHECK_MAX_DURATION_S), VMCHECK_ENOMEM
 */
VMCHECK_API VMCHECK_WARN_UNUSED int vmcheck_analyzer_push(VmcheckAnalyzer *a, const float *samples, size_t n_frames)
    VMCHECK_NONNULL(1);

/**
 * Give the analyser your own count of clipped samples: clipped_samples of
 * total_samples samples (of every channel, before you mixed them to mono)
 * were clipped, judged against your encoding's largest value.  Optional:
 * without it the analyser counts the pushed samples at full scale
 * (|x| >= 0.9999).  Once it is called, the report's clipped_ratio is the sum
 * of clipped_samples over the sum of total_samples of all calls, and pushed
 * samples are not counted as well, whatever the order of the calls and the
 * pushes.  vmcheck_analyze_file() does this for every file it decodes.
 * @return VMCHECK_OK, VMCHECK_EINVAL (a NULL, or clipped_samples > total_samples)
 */
VMCHECK_API int vmcheck_analyzer_add_clipping(VmcheckAnalyzer *a, size_t clipped_samples, size_t total_samples)
    VMCHECK_NONNULL(1);

/**
 * End of stream: run events and scoring and return the report.
 * @param segs    caller-given segments (labels), may be NULL when n_segs is 0
 * @param script  the prepared text of the message (UTF-8), or NULL
 * @return VMCHECK_OK, VMCHECK_EINVAL (second call, NULL out),
 *         VMCHECK_EEMPTY (no samples pushed), VMCHECK_ELABELS (a segment
 *         with end <= start or outside the recording), VMCHECK_ENOMEM
 */
VMCHECK_API VMCHECK_WARN_UNUSED int vmcheck_analyzer_finish(VmcheckAnalyzer *a, VmcheckReport **out,
                                                            const VmcheckSegmentSpec *segs, size_t n_segs,
                                                            const char *script) VMCHECK_NONNULL(1, 2);

/** Destroy an analyser; accepts NULL and *a == NULL, sets *a to NULL. */
VMCHECK_API void vmcheck_analyzer_destroy(VmcheckAnalyzer **a);

/**
 * Decode and analyse a file (channels mixed to mono): any format libsndfile
 * opens, and, in a build with FFmpeg, what FFmpeg's libraries read (AMR,
 * M4A/MP4/3GP, WebM, ...) when libsndfile cannot.  Reads in blocks: memory
 * holds per-frame features, never the whole file.  The file is opened once
 * (a FIFO: without waiting for its writer to open, then reading as it
 * comes).  Audio that ends before the header says is analysed as far as
 * it goes and flagged VMCHECK_FLAG_TRUNCATED; less than one analysis frame
 * of it is VMCHECK_EFORMAT.
 * @param cfg       settings, NULL for defaults
 * @param cfg_size  sizeof(VmcheckConfig) as the caller knows it (the macro
 *                  vmcheck_analyze_file(cfg, out, path, segs, n_segs, script) passes it)
 * @param path      the file
 * @param segs      caller-given segments or NULL
 * @param script    prepared text or NULL
 * @param out       receives the report
 * @return VMCHECK_OK, VMCHECK_EINVAL, VMCHECK_EIO, VMCHECK_EFORMAT, VMCHECK_ERANGE,
 *         VMCHECK_EDATA, VMCHECK_EEMPTY, VMCHECK_ELABELS, VMCHECK_ENOMEM
 *         (the logger gets the decoders' own messages on a failed open)
 */
VMCHECK_API VMCHECK_WARN_UNUSED int vmcheck_analyze_file_sized(const VmcheckConfig *cfg, size_t cfg_size,
                                                               VmcheckReport **out, const char *path,
                                                               const VmcheckSegmentSpec *segs, size_t n_segs,
                                                               const char *script) VMCHECK_NONNULL(3, 4);
VMCHECK_API VMCHECK_WARN_UNUSED int(vmcheck_analyze_file)(const VmcheckConfig *cfg, VmcheckReport **out,
                                                          const char *path, const VmcheckSegmentSpec *segs,
                                                          size_t n_segs, const char *script) VMCHECK_NONNULL(2, 3);
#define vmcheck_analyze_file(cfg, out, path, segs, n_segs, script)                                                     \
    vmcheck_analyze_file_sized((cfg), sizeof(VmcheckConfig), (out), (path), (segs), (n_segs), (script))

/**
 * As vmcheck_analyze_file(), from an encoded file image in memory.
 * @return as vmcheck_analyze_file() but never VMCHECK_EIO
 */
VMCHECK_API VMCHECK_WARN_UNUSED int vmcheck_analyze_memory_sized(const VmcheckConfig *cfg, size_t cfg_size,
                                                                 VmcheckReport **out, const void *data, size_t size,
                                                                 const VmcheckSegmentSpec *segs, size_t n_segs,
                                                                 const char *script) VMCHECK_NONNULL(3);
VMCHECK_API VMCHECK_WARN_UNUSED int(vmcheck_analyze_memory)(const VmcheckConfig *cfg, VmcheckReport **out,
                                                            const void *data, size_t size,
                                                            const VmcheckSegmentSpec *segs, size_t n_segs,
                                                            const char *script) VMCHECK_NONNULL(2);
#define vmcheck_analyze_memory(cfg, out, data, size, segs, n_segs, script)                                             \
    vmcheck_analyze_memory_sized((cfg), sizeof(VmcheckConfig), (out), (data), (size), (segs), (n_segs), (script))

/**
 * As vmcheck_analyze_file(), from what an open file descriptor reads: a
 * regular file from its current offset, or a pipe, socket or terminal (for
 * example standard input, fd 0) as a stream, read as it comes.  A stream's
 * length is unknown, so it is never flagged truncated.  fd is not closed.
 * (New in 0.2: only this macro and the _sized function exist.)
 * @return as vmcheck_analyze_file()
 */
VMCHECK_API VMCHECK_WARN_UNUSED int vmcheck_analyze_fd_sized(const VmcheckConfig *cfg, size_t cfg_size,
                                                             VmcheckReport **out, int fd,
                                                             const VmcheckSegmentSpec *segs, size_t n_segs,
                                                             const char *script) VMCHECK_NONNULL(3);
#define vmcheck_analyze_fd(cfg, out, fd, segs, n_segs, script)                                                         \
    vmcheck_analyze_fd_sized((cfg), sizeof(VmcheckConfig), (out), (fd), (segs), (n_segs), (script))

/** Segment i of the report (0 <= i < segment_count), in this header's layout; NULL out of range. */
VMCHECK_API const VmcheckSegment *vmcheck_report_segment(const VmcheckReport *r, size_t i);

/** Flag i of the report (0 <= i < flag_count), in this header's layout; NULL out of range. */
VMCHECK_API const VmcheckFlag *vmcheck_report_flag(const VmcheckReport *r, size_t i);

/** Pause i of the report (0 <= i < pause_count); NULL out of range. */
VMCHECK_API const VmcheckPause *vmcheck_report_pause(const VmcheckReport *r, size_t i);

/** Free a report; accepts NULL and *r == NULL, sets *r to NULL. */
VMCHECK_API void vmcheck_report_free(VmcheckReport **r);

/**
 * Parse an Audacity label track (start<TAB>end<TAB>label per line, seconds;
 * CRLF accepted).  Labels "name" and "number" (any case) become segments;
 * other labels and point labels (start == end) are ignored.
 * @param text, len   the file contents (need not be NUL-terminated)
 * @param out, n_out  receive an array (free it with vmcheck_labels_free()) and its length
 * @param bad_line    on VMCHECK_ELABELS receives the 1-based line at fault (may be NULL)
 * @return VMCHECK_OK, VMCHECK_EINVAL, VMCHECK_ELABELS, VMCHECK_ENOMEM
 */
VMCHECK_API VMCHECK_WARN_UNUSED int vmcheck_labels_parse(VmcheckSegmentSpec **out, size_t *n_out, size_t *bad_line,
                                                         const char *text, size_t len) VMCHECK_NONNULL(1, 2);

/** Free what vmcheck_labels_parse() returned; accepts NULL and *specs == NULL, sets *specs to NULL. */
VMCHECK_API void vmcheck_labels_free(VmcheckSegmentSpec **specs);

#ifdef __cplusplus
}
#endif

#endif /* VMCHECK_VMCHECK_H */
