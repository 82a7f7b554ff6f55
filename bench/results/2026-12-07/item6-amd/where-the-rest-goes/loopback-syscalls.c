#define _GNU_SOURCE
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static double now(){struct timespec t;clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(){
 int r=socket(AF_INET,SOCK_DGRAM,0), s=socket(AF_INET,SOCK_DGRAM,0);
 struct sockaddr_in a={.sin_family=AF_INET,.sin_port=htons(40999)}; a.sin_addr.s_addr=htonl(0x7f000001);
 bind(r,(void*)&a,sizeof a); int big=1<<24; setsockopt(r,SOL_SOCKET,SO_RCVBUF,&big,4);
 char buf[1000]; memset(buf,1,sizeof buf); char rb[2000];
 int N=200000;
 for(int rep=0;rep<3;rep++){
 double t0=now();
 for(int i=0;i<N;i++){ sendto(s,buf,900,0,(void*)&a,sizeof a); recv(r,rb,2000,MSG_DONTWAIT);} 
 double t1=now();
 struct mmsghdr m[16]; struct iovec io[16];
 for(int j=0;j<16;j++){io[j].iov_base=buf;io[j].iov_len=900;memset(&m[j],0,sizeof m[j]);m[j].msg_hdr.msg_iov=&io[j];m[j].msg_hdr.msg_iovlen=1;m[j].msg_hdr.msg_name=&a;m[j].msg_hdr.msg_namelen=sizeof a;}
 struct mmsghdr rm[16]; struct iovec rio[16]; static char rbs[16][2000];
 for(int j=0;j<16;j++){rio[j].iov_base=rbs[j];rio[j].iov_len=2000;memset(&rm[j],0,sizeof rm[j]);rm[j].msg_hdr.msg_iov=&rio[j];rm[j].msg_hdr.msg_iovlen=1;}
 double t2=now();
 for(int i=0;i<N/16;i++){ sendmmsg(s,m,16,0); recvmmsg(r,rm,16,MSG_DONTWAIT,0);} 
 double t3=now();
 int p=getpid();
 for(int i=0;i<N;i++) syscall(39);
 double t4=now();
 printf("single send+recv %.2f us/pkt, batched16 %.2f us/pkt, getpid %.3f us\n",(t1-t0)/N*1e6,(t3-t2)/N*1e6,(t4-t3)/N*1e6);}
}
