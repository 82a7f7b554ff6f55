import re,sys,collections
rows=[]
for line in open(sys.argv[1]):
    m=re.match(r'\s*(\d+)\s+([\d.]+):\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$',line)
    if not m: continue
    rows.append((int(m[1]),float(m[2]),m[4],m[5]))
readers=set(int(x) for x in sys.argv[2].split(','))
fn=[t for tid,t,s,d in rows if 'replyNeighbours' in s]
lo,hi=min(fn),max(fn)
def cat(s,d):
    if 'libsodium' in d: return 'libsodium'
    if 'kernel' in d: return 'kernel'
    if 'libswift' in d: return 'swift runtime'
    if 'libc.so' in d or 'ld-linux' in d: return 'libc'
    if 'a2al-bench-node' in d: return 'node'
    return d
for name,sel in [('ping',lambda t:t<lo),('find_node',lambda t:lo<=t<=hi)]:
    c=collections.Counter(); syms=collections.Counter()
    for tid,t,s,d in rows:
        if tid in readers and sel(t):
            k=cat(s,d); c[k]+=1
            if k in('node','swift runtime','libc'): syms[(k,s[:90])]+=1
    n=sum(c.values())
    print(name,n,' '.join(f"{k} {v/n*100:.1f}%" for k,v in c.most_common()))
    if name=='find_node' or len(sys.argv)>3:
        for (k,s),v in syms.most_common(25): print(f"   {v/n*100:5.2f}% {k:13} {s}")
