#!/usr/bin/env python3
"""mktdreport.py QUOTE OUT [other]: the 1024-byte TDREPORT whose fields are QUOTE's TD
report body (REPORTDATA at 128, TEE_TCB_SVN 264, MRSEAM 280, TD attributes 512, XFAM
520, MRTD 528, MRCONFIGID 576, MROWNER 624, MROWNERCONFIG 672, RTMR0-3 720), as the
HCL report carries it. With a third argument, one bit of MRTD differs."""
import sys
q = open(sys.argv[1], "rb").read()
b = q[48:48 + 584]
t = bytearray(1024)
t[0] = 0x81
o = 0
def take(n):
    global o
    v = b[o:o + n]; o += n; return v
svn = take(16); mrseam = take(48); take(48); take(8); attr = take(8); xfam = take(8)
mrtd = take(48); cfg = take(48); own = take(48); owncfg = take(48)
rtmr = [take(48) for _ in range(4)]; rd = take(64)
t[128:192] = rd; t[264:280] = svn; t[280:328] = mrseam; t[512:520] = attr; t[520:528] = xfam
t[528:576] = mrtd; t[576:624] = cfg; t[624:672] = own; t[672:720] = owncfg
for i in range(4):
    t[720 + 48 * i:768 + 48 * i] = rtmr[i]
if len(sys.argv) > 3:
    t[528] ^= 1   # another MRTD
open(sys.argv[2], "wb").write(t)
