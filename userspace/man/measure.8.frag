.\" SPDX-License-Identifier: GPL-2.0-only
.\" The measure, log and watch sections of cvmguard(8), and their SYNOPSIS lines.
.\" Kept as a fragment on the measure branch because cvmguard.8 is being written on
.\" main at the same time: paste the .SS sections after "info" in COMMANDS.
.\"
.\" SYNOPSIS:
.\" .B cvmguard measure
.\" .RB [ \-\-pcr
.\" .IR N ]
.\" .RB [ \-\-type
.\" .IR T ]
.\" .RB ( \-\-data
.\" .IR S " |"
.\" .B \-\-file
.\" .IR F )
.\" .RB [ \-\-netlink ]
.\" .RB [ \-\-json ]
.\" .br
.\" .B cvmguard log
.\" .RB [ \-\-json ]
.\" .RB [ \-\-check ]
.\" .RB [ \-\-file
.\" .IR F ]
.\" .br
.\" .B cvmguard watch
.\" .RB [ \-\-json ]
.\" .RB [ \-\-from
.\" .IR SEQ ]
.\" .RB [ \-\-count
.\" .IR N ]
.SS measure
Extend a vTPM PCR with a measurement and log it. The module hashes the data with
the algorithm of every PCR bank the TPM has allocated, extends the PCR with those
digests, and appends the event to its event log; on any failure nothing is
extended or logged. Prints the event's sequence number. Needs root, or the
.B cvmguard
group when the module was loaded with
.BR allow_group_extend=1 ;
over netlink always root of the initial user namespace.
.TP
.BR \-p ", " \-\-pcr " \fIN\fR"
The PCR (default: the module's
.BR default_pcr ,
13). Only PCRs in the module's
.B allowed_pcrs
are accepted, never 16\(en23.
.TP
.BR \-t ", " \-\-type " \fIT\fR"
The TCG event type logged with the event (default 0xd,
.BR EV_IPL ).
.B EV_NO_ACTION
(3) is refused: verifiers do not replay it.
.TP
.BR \-d ", " \-\-data " \fIS\fR"
The event data is the string
.IR S .
.TP
.BR \-f ", " \-\-file " \fIF\fR"
The event data is the content of
.I F
.RB ( \- :
standard input), 1 to 4096 bytes.
.TP
.BR \-n ", " \-\-netlink
Extend over generic netlink instead of the character device.
.TP
.BR \-j ", " \-\-json
Print {"seq":N,"pcr":N,"type":N,"transport":...}.
.SS log
Print the module's event log
.RI ( /sys/kernel/security/cvmguard/binary_measurements ,
the TCG PC Client crypto-agile format), one event per line: sequence number, PCR,
type, one digest per bank, and the data (quoted when printable, else hex).
.TP
.BR \-c ", " \-\-check
Replay the log for every bank from zero and compare each PCR it extends with the
TPM's value
.RI ( /sys/class/tpm/tpm0/pcr\- ALG / N ).
A mismatch is named on standard error and the exit status is 1. The replay only
matches while the module has stayed loaded since boot: the TPM keeps its PCRs
when the module and its log are unloaded.
.TP
.BR \-j ", " \-\-json
One JSON document:
.BR banks ,
.BR events ,
and with
.B \-\-check
a
.B check
array of {pcr, bank, match, replay, tpm}.
.TP
.BR \-f ", " \-\-file " \fIF\fR"
Read a saved binary log instead.
.SS watch
Print measurement events as the module logs them, from its
.B measure
netlink group, one line (or JSON object) per event, each exactly once and in
order: when notifications are lost (the socket overflowed, or a sequence number
was skipped) the missed events are read back from the log with GET_LOG. Needs
root.
.TP
.BR \-F ", " \-\-from " \fISEQ\fR"
First print the logged events from
.I SEQ
on (0: the whole log), then follow.
.TP
.BR \-c ", " \-\-count " \fIN\fR"
Exit after
.I N
events.
.TP
.BR \-j ", " \-\-json
One JSON object per line: seq, pcr, type, digests {alg: hex}, data_hex, and data
when printable.
.\" EXIT STATUS additions: measure exits 64 when the module refuses the PCR, the
.\" type or the size, 77 without permission, 69 without the module or a TPM, 1 when
.\" the log is full; log \-\-check exits 1 on a mismatch, 3 on a malformed log.
