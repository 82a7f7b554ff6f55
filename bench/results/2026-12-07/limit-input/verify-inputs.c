// Ed25519 verify of one request over and over against distinct requests in turn (libsodium),
// thread CPU time, 40 alternating pairs of 2,000 verifications; prints the distribution of
// distinct/identical speed. Build: gcc -O2 verify-inputs.c -o verify-inputs -lsodium
#include <sodium.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#define N 8192
static unsigned char pk[128][32], sk[128][64], msg[N][120], sig[N][64];
static double cpu(){struct timespec t;clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(){
  if(sodium_init()<0) return 1;
  for(int k=0;k<128;k++) crypto_sign_keypair(pk[k],sk[k]);
  for(int i=0;i<N;i++){ randombytes_buf(msg[i],120); crypto_sign_detached(sig[i],NULL,msg[i],120,sk[i%128]); }
  double r[40]; int ok=0, i=0;
  for(int rep=0;rep<40;rep++){
    double t=cpu();
    for(int j=0;j<2000;j++) ok+=crypto_sign_verify_detached(sig[0],msg[0],120,pk[0])==0;
    double same=cpu()-t; t=cpu();
    for(int j=0;j<2000;j++){ ok+=crypto_sign_verify_detached(sig[i],msg[i],120,pk[i%128])==0; i=(i+1)%N;}
    double varied=cpu()-t;
    r[rep]=same/varied;
  }
  qsort(r,40,sizeof(double),cmp);
  printf("varied/same speed: min %.3f q1 %.3f median %.3f q3 %.3f max %.3f ok=%d\n",r[0],r[10],r[20],r[30],r[39],ok);
}
