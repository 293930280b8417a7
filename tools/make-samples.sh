#!/usr/bin/env bash
# make-samples.sh - synthesise the practice voicemail samples used by vmcheck.
#
# Usage: tools/make-samples.sh [OUTDIR]      (default: <repo>/samples)
#
# Every message is built by concatenating separately synthesised phrases
# (espeak-ng) with silence gaps of known length, so the label times for the
# caller's NAME and PHONE NUMBER are exact (computed from sample counts).
#
# Outputs per message NAME in OUTDIR:
#   NAME.wav         16 kHz mono PCM16 (telephone: 8 kHz mono mu-law)
#   NAME.labels.txt  Audacity label track: start<TAB>end<TAB>label
#   NAME.txt         what is said; name in [brackets], number as digits
# plus OUTDIR/truth.tsv with the ground truth for all messages.
#
# The output is byte-for-byte reproducible for a given espeak-ng/sox version
# (no dither, no random noise, no timestamps).

set -euo pipefail
export LC_ALL=C

# ---------------------------------------------------------------- tools ----
need_install=0
for t in espeak-ng flite sox soxi; do
    command -v "$t" >/dev/null 2>&1 || need_install=1
done
if [ "$need_install" -eq 1 ]; then
    echo "make-samples: installing espeak-ng flite sox libsox-fmt-all" >&2
    SUDO=
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
    export DEBIAN_FRONTEND=noninteractive
    # apt-get update first if there are no package lists yet, or if the
    # install fails (stale lists).
    if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
        $SUDO apt-get update
    fi
    $SUDO apt-get install -y espeak-ng flite sox libsox-fmt-all ||
        { $SUDO apt-get update && $SUDO apt-get install -y espeak-ng flite sox libsox-fmt-all; }
fi

# ---------------------------------------------------------------- paths ----
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$SCRIPT_DIR")
OUTDIR=${1:-"$REPO_DIR/samples"}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/make-samples.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# ------------------------------------------------------------- settings ----
RATE=16000              # working sample rate (Hz)
SOX="sox -D -V1"        # -D: never dither -> deterministic output

# Trim threshold for leading/trailing silence of each phrase.  espeak-ng
# output has digital-zero silence, so a low threshold (0.1 % FS, -60 dBFS)
# keeps quiet onsets such as /h/ in "Hi" and /f/ in "from" intact.
TRIM_THR=0.1%

# Message text (the same words in all four samples).
T_GREET="Hi Sarah, it's"
T_NAME="Matthew Mewse"
T_FROM="from Northwind Supplies."
T_REASON="I'm calling about the order you placed last week."
T_ASK="Could you call me back on"
T_BYE="Thanks, bye."
# Number 07700 900 123, read with "oh" for 0 (1 syllable each).
N_DIGITS="07700 900 123"
N_G1="oh, seven, seven, oh, oh"     # 5 digits, 7 syllables
N_G2="nine, oh, oh"                 # 3 digits, 3 syllables
N_G3="one, two, three"              # 3 digits, 3 syllables
N_FAST="oh seven seven oh oh nine oh oh one two three"
NUMBER_DIGITS=11
NUMBER_SYLLABLES=13                 # oh seven(2) seven(2) oh oh | nine oh oh | one two three
NAME_SYLLABLES=3                    # Mat-thew Mewse

MESSAGE_TEXT="Hi Sarah, it's [Matthew Mewse] from Northwind Supplies. I'm calling about the order you placed last week. Could you call me back on $N_DIGITS. Thanks, bye."

# Speaking rates (espeak-ng words per minute).
WPM_TEXT=150            # ordinary phrases
WPM_NAME_SLOW=110       # name said slowly and clearly
WPM_NAME_FAST=320       # name rushed
WPM_NUM_SLOW_US=165     # per-group digit rate, en-us  (~1.75 digits/s overall)
WPM_NUM_SLOW_GB=160     # per-group digit rate, en-gb+f3
WPM_NUM_FAST=230        # whole number in one breath (~6 digits/s)

# Gaps (seconds).
G_LEAD=0.40             # lead-in silence
G_NAME=0.12             # around the name (inside one sentence)
G_SENT=0.50             # between sentences
G_PRE_NUM=0.30          # "call me back on" -> number
G_GROUP=0.45            # between digit groups of the slow number
G_POST_NUM=0.60         # number -> sign-off
G_TAIL=0.50             # trailing silence

# Level processing: compand attack,decay soft-knee:transfer-points gain
# initial-volume delay (delay 0 => no time shift), then peak normalisation.
COMPAND=('0.002,0.1' '6:-70,-70,-36,-30,0,-12' 0 -90 0)
PEAK_DB=-2

# ------------------------------------------------------------- helpers ----
seq_no=0

# secs_to_samples SECONDS -> integer sample count at $RATE
secs_to_samples() { awk -v s="$1" -v r="$RATE" 'BEGIN{printf "%d", s*r + 0.5}'; }

# samples_to_secs N -> seconds with 6 decimals
samples_to_secs() { awk -v n="$1" -v r="$RATE" 'BEGIN{printf "%.6f", n/r}'; }

# Segment list of the message being built.
seg_files=()
pos=0                   # current length of the message in samples

msg_reset() { seg_files=(); pos=0; }

# add_gap SECONDS : append exact silence
add_gap() {
    local n f
    n=$(secs_to_samples "$1")
    seq_no=$((seq_no + 1))
    f="$TMP/seg$seq_no.wav"
    $SOX -r "$RATE" -c 1 -n -r "$RATE" -c 1 -b 16 -e signed-integer "$f" trim 0 "${n}s"
    seg_files+=("$f")
    pos=$((pos + n))
}

# add_phrase VOICE WPM TEXT : synthesise, resample, trim silence, append
add_phrase() {
    local voice=$1 wpm=$2 text=$3 raw f n
    seq_no=$((seq_no + 1))
    raw="$TMP/raw$seq_no.wav"
    f="$TMP/seg$seq_no.wav"
    espeak-ng -v "$voice" -s "$wpm" -w "$raw" -- "$text"
    $SOX "$raw" -r "$RATE" -c 1 -b 16 -e signed-integer "$f" \
        silence 1 0.01 "$TRIM_THR" reverse silence 1 0.01 "$TRIM_THR" reverse
    n=$(soxi -s "$f")
    if [ "$n" -le 0 ]; then
        echo "make-samples: phrase '$text' trimmed to nothing" >&2
        exit 1
    fi
    seg_files+=("$f")
    pos=$((pos + n))
}

# build_message OUTWAV VOICE NAME_WPM NUMBER_MODE(slow|fast) NUM_SLOW_WPM
# Sets globals name_s name_e num_s num_e (in samples) and total.
build_message() {
    local out=$1 voice=$2 name_wpm=$3 mode=$4 num_wpm=$5
    msg_reset
    add_gap "$G_LEAD"
    add_phrase "$voice" "$WPM_TEXT" "$T_GREET"
    add_gap "$G_NAME"
    name_s=$pos
    add_phrase "$voice" "$name_wpm" "$T_NAME"
    name_e=$pos
    add_gap "$G_NAME"
    add_phrase "$voice" "$WPM_TEXT" "$T_FROM"
    add_gap "$G_SENT"
    add_phrase "$voice" "$WPM_TEXT" "$T_REASON"
    add_gap "$G_SENT"
    add_phrase "$voice" "$WPM_TEXT" "$T_ASK"
    add_gap "$G_PRE_NUM"
    num_s=$pos
    if [ "$mode" = slow ]; then
        add_phrase "$voice" "$num_wpm" "$N_G1"
        add_gap "$G_GROUP"
        add_phrase "$voice" "$num_wpm" "$N_G2"
        add_gap "$G_GROUP"
        add_phrase "$voice" "$num_wpm" "$N_G3"
    else
        add_phrase "$voice" "$WPM_NUM_FAST" "$N_FAST"
    fi
    num_e=$pos
    add_gap "$G_POST_NUM"
    add_phrase "$voice" "$WPM_TEXT" "$T_BYE"
    add_gap "$G_TAIL"
    total=$pos

    # Concatenate, apply a mild zero-delay compressor (espeak-ng's waveform
    # is very peaky; this lifts the RMS towards -20 dBFS without changing
    # timing), then peak-normalise to $PEAK_DB dBFS.  No dither.
    $SOX "${seg_files[@]}" "$TMP/concat.wav"
    $SOX "$TMP/concat.wav" -r "$RATE" -c 1 -b 16 -e signed-integer "$out" \
        compand "${COMPAND[@]}" gain -n "$PEAK_DB"
    local got
    got=$(soxi -s "$out")
    if [ "$got" -ne "$total" ]; then
        echo "make-samples: $out has $got samples, expected $total" >&2
        exit 1
    fi
}

# write_meta NAME : labels, text and truth.tsv row for the last built message
TRUTH="$TMP/truth.tsv"
printf 'file\tduration_s\tname_start\tname_end\tname_syllables\tnumber_start\tnumber_end\tnumber_digits\tnumber_syllables\n' >"$TRUTH"
write_meta() {
    local name=$1
    {
        printf '%s\t%s\tname\n' "$(samples_to_secs "$name_s")" "$(samples_to_secs "$name_e")"
        printf '%s\t%s\tnumber\n' "$(samples_to_secs "$num_s")" "$(samples_to_secs "$num_e")"
    } >"$OUTDIR/$name.labels.txt"
    printf '%s\n' "$MESSAGE_TEXT" >"$OUTDIR/$name.txt"
    printf '%s.wav\t%s\t%s\t%s\t%d\t%s\t%s\t%d\t%d\n' "$name" \
        "$(samples_to_secs "$total")" \
        "$(samples_to_secs "$name_s")" "$(samples_to_secs "$name_e")" "$NAME_SYLLABLES" \
        "$(samples_to_secs "$num_s")" "$(samples_to_secs "$num_e")" \
        "$NUMBER_DIGITS" "$NUMBER_SYLLABLES" >>"$TRUTH"
}

# ------------------------------------------------------------- messages ----
# 1. good: en-us, name slow, number slow in groups
build_message "$OUTDIR/good.wav" en-us "$WPM_NAME_SLOW" slow "$WPM_NUM_SLOW_US"
write_meta good

# 2. rushed-number: same, but the number in one fast breath
build_message "$OUTDIR/rushed-number.wav" en-us "$WPM_NAME_SLOW" fast "$WPM_NUM_SLOW_US"
write_meta rushed-number

# 3. rushed-name: name rushed, number well paced
build_message "$OUTDIR/rushed-name.wav" en-us "$WPM_NAME_FAST" slow "$WPM_NUM_SLOW_US"
write_meta rushed-name

# 4. telephone: the good message in a different voice (British female
#    variant), band-limited to 300-3400 Hz and stored as 8 kHz mu-law.
#    sox's sinc is a zero-delay (delay-compensated) linear-phase FIR, so the
#    label times are unchanged.
build_message "$TMP/telephone16k.wav" en-gb+f3 "$WPM_NAME_SLOW" slow "$WPM_NUM_SLOW_GB"
$SOX "$TMP/telephone16k.wav" -r 8000 -c 1 -e mu-law -b 8 "$OUTDIR/telephone.wav" \
    sinc 300-3400 gain -n "$PEAK_DB"
write_meta telephone

cp "$TRUTH" "$OUTDIR/truth.tsv"

# -------------------------------------------------------------- summary ----
echo
echo "Samples written to $OUTDIR"
printf '%-18s %8s %8s %8s %7s %8s %8s %7s %7s %7s %7s\n' \
    file dur_s name_s name_dur syl/s num_s num_dur dig/s syl/s pk_dB rms_dB
tail -n +2 "$OUTDIR/truth.tsv" | while IFS=$'\t' read -r f dur ns ne nsyl us ue ud usyl; do
    st=$(sox "$OUTDIR/$f" -n stats 2>&1)
    pk=$(printf '%s\n' "$st" | awk '/^Pk lev dB/{print $4}')
    rms=$(printf '%s\n' "$st" | awk '/^RMS lev dB/{print $4}')
    awk -v f="$f" -v d="$dur" -v ns="$ns" -v ne="$ne" -v nsyl="$nsyl" \
        -v us="$us" -v ue="$ue" -v ud="$ud" -v usyl="$usyl" -v pk="$pk" -v rms="$rms" 'BEGIN{
        printf "%-18s %8.3f %8.3f %8.3f %7.2f %8.3f %8.3f %7.2f %7.2f %7.2f %7.2f\n",
            f, d, ns, ne-ns, nsyl/(ne-ns), us, ue-us, ud/(ue-us), usyl/(ue-us), pk, rms }'
done
