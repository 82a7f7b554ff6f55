#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(){
  int a=socket(AF_INET,SOCK_DGRAM,0), b=socket(AF_INET,SOCK_DGRAM,0);
  int big=8<<20; setsockopt(b,SOL_SOCKET,SO_RCVBUF,&big,4);
  struct sockaddr_in sa={.sin_family=AF_INET,.sin_addr.s_addr=htonl(0x7f000001)};
  bind(b,(void*)&sa,sizeof sa); socklen_t l=sizeof sa; getsockname(b,(void*)&sa,&l);
  char buf[8][1300]; memset(buf,1,sizeof buf); int N=200000;
  struct mmsghdr m[8]; struct iovec v[8]; struct sockaddr_storage src[8];
  for(int r=0;r<3;r++){
  double sendT=0, recvT=0, smT=0, rmT=0;
  for(int i=0;i<N/8;i++){
    double t0=now(); for(int k=0;k<8;k++) sendto(a,buf[k],300,MSG_DONTWAIT,(void*)&sa,sizeof sa); double t1=now();
    for(int k=0;k<8;k++){socklen_t sl=sizeof src[0]; recvfrom(b,buf[k],1201,MSG_DONTWAIT,(void*)&src[k],&sl);} double t2=now();
    sendT+=t1-t0; recvT+=t2-t1;
    for(int k=0;k<8;k++){v[k].iov_base=buf[k];v[k].iov_len=300;memset(&m[k],0,sizeof m[k]);m[k].msg_hdr.msg_iov=&v[k];m[k].msg_hdr.msg_iovlen=1;m[k].msg_hdr.msg_name=&sa;m[k].msg_hdr.msg_namelen=sizeof sa;}
    double t3=now(); sendmmsg(a,m,8,MSG_DONTWAIT); double t4=now();
    for(int k=0;k<8;k++){v[k].iov_len=1201;m[k].msg_hdr.msg_name=&src[k];m[k].msg_hdr.msg_namelen=sizeof src[k];}
    double t5=now(); int n=recvmmsg(b,m,8,MSG_DONTWAIT,NULL); double t6=now(); if(n!=8)printf("n=%d\n",n);
    smT+=t4-t3; rmT+=t6-t5;
  }
  printf("per datagram ns: sendto %.0f recvfrom %.0f sendmmsg %.0f recvmmsg %.0f\n",sendT/N*1e9,recvT/N*1e9,smT/N*1e9,rmT/N*1e9);
  }
}
