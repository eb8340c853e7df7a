/* Whole training epochs in compiled code (train/epoch.c, train/workspace.c). */
#ifndef FASTNN_TRAIN_H
#define FASTNN_TRAIN_H
#endif
