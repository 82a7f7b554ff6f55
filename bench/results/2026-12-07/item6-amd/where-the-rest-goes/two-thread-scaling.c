#include <sodium.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
static double wall(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define K 256
static unsigned char pk[K][32], sig[K][64], msg[K][120], sk[64], rep[900], rsig[64];
static volatile int stop;
static void* work(void*a){ long n=0; while(!stop){ int i=n%K; if(crypto_sign_verify_detached(sig[i],msg[i],120,pk[i])!=0) return 0; rep[0]=n; crypto_sign_detached(rsig,0,rep,900,sk); n++;} return (void*)n;}
static double run(int th,double secs){ pthread_t t[2]; stop=0; double t0=wall(); for(int i=0;i<th;i++) pthread_create(&t[i],0,work,0); struct timespec s={ (time_t)secs, (long)((secs-(long)secs)*1e9)}; nanosleep(&s,0); stop=1; long tot=0; for(int i=0;i<th;i++){void*r; pthread_join(t[i],&r); tot+=(long)r;} return tot/(wall()-t0);}
int main(){ sodium_init(); unsigned char p[32]; for(int i=0;i<K;i++){unsigned char s[64]; crypto_sign_keypair(pk[i],s); randombytes_buf(msg[i],120); crypto_sign_detached(sig[i],0,msg[i],120,s);} crypto_sign_keypair(p,sk);
 for(int r=0;r<5;r++){ double a=run(1,2), b=run(2,2), c=run(1,2); printf("one %.0f two %.0f ratio %.3f\n",(a+c)/2,b,b/((a+c)/2)); fflush(stdout);} }
